/**
 * Builds each generation's `ctx`. Every registration goes into the generation's ledger — nothing reaches the host
 * before the swap — and every function a plugin hands over is wrapped so a call into it is counted on its generation.
 * Core services are exposed only as far as the plugin's declared capabilities allow (`capabilities.ts`).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ZodType } from 'zod';
import type { PluginContext, PluginDefinition, PluginStore, ProviderDefinition, ToolDefinition } from '../plugin-api/types.ts';
import { createPluginRoutes } from '../http/route-table.ts';
import { registerTool } from '../agent/tool-registry.ts';
import type { CoreServices } from '../runtime.ts';
import { capabilityMissing, scopedAuth, scopedHost, scopedSecrets, scopedWorkspace, toolRiskAllowed } from './capabilities.ts';
import type { Generation } from './generation.ts';
import { trackedObject, trackedProvider, trackedTool } from './tracked.ts';
import { pluginCluster } from '../cluster/plugin-facility.ts';

function pluginStore(core: CoreServices, name: string): PluginStore {
  const pluginState = core.store.collection<{ id: string; value: unknown }>(`plugin-${name}`);
  return {
    collection: (n, options) => core.store.collection(n, options),
    forUser: (userId) => core.store.forUser(userId),
    usersWith: (n) => core.store.usersWith(n),
    plugin: {
      get: async <V>(key: string) => (await pluginState.get(key))?.value as V | undefined,
      set: async (key, value) => void (await pluginState.put({ id: key, value })),
      delete: async (key) => void (await pluginState.delete(key)),
    },
    dir: async () => {
      const dir = path.join(core.config.dataDir, 'plugins', name);
      await mkdir(dir, { recursive: true });
      return dir;
    },
  };
}

/** This generation's view of its settings: parsed with its own schema, even before the swap registers it. */
function pluginSettings(core: CoreServices, gen: Generation, schema: ZodType<any> | undefined): PluginContext['settings'] {
  const name = gen.plugin;
  return {
    get: () => {
      const current = core.settings.plugin(name);
      if (!schema) return current;
      const parsed = schema.safeParse(current);
      return parsed.success ? parsed.data : schema.parse({});
    },
    set: async (patch) => {
      await core.settings.set({ [name]: patch });
      return core.settings.plugin(name);
    },
    onChange: (fn) => void gen.ledger.settingsListeners.push(fn),
  };
}

/** `ctx.tools`: registration checked against the manifest; once the generation is live, changes reach the registry now. */
function pluginTools(core: CoreServices, gen: Generation): PluginContext['tools'] {
  const { ledger, capabilities: caps, plugin: name } = gen;
  // Tools added or removed once this generation is live (after setup) must reach the registry now, not at the next swap.
  const refreshIfLive = () => {
    if (core.host.generations().includes(gen)) core.host.onChange();
  };
  return {
    register(def: ToolDefinition) {
      if (ledger.tools.has(def.name)) throw new Error(`tool ${def.name} registered twice`);
      // A tool that runs programs or reaches the network is refused unless the manifest says the plugin does.
      const missing = toolRiskAllowed(caps, def.risk);
      if (missing) throw capabilityMissing(name, missing, `tool ${def.name} of risk ${def.risk}`);
      const tracked = trackedTool(gen, def);
      registerTool(tracked, name); // validates the definition now, so setup fails loudly
      ledger.tools.set(def.name, tracked);
      refreshIfLive();
    },
    unregister(toolName) {
      const removed = ledger.tools.delete(toolName);
      if (removed) refreshIfLive();
      return removed;
    },
  };
}

/** `ctx.hooks`: every hook runs counted on its generation, and not at all once that generation is retired. */
function pluginHooks(gen: Generation): PluginContext['hooks'] {
  const { ledger } = gen;
  const warn = (e: any) => gen.log.warn({ err: { message: String(e?.message ?? e) } }, 'onToolResult hook failed');
  return {
    onToolResult: (fn) => void ledger.toolResultHooks.push((info) => gen.retired || void gen.enter(() => fn(info)).catch(warn)),
    onDone: (fn) => void ledger.doneHooks.push((event, info) => (gen.retired ? undefined : gen.enter(() => fn(event, info)))),
    onTurnError: (fn) => void ledger.turnErrorHooks.push((error, info) => gen.retired || void gen.enter(() => fn(error, info)).catch(() => {})),
    systemContext: (fn) => void ledger.systemContextHooks.push((info) => (gen.retired ? undefined : gen.enter(() => fn(info)))),
    statusFields: (fn) => void ledger.statusHooks.push((user) => (gen.retired ? undefined : gen.enter(() => fn(user)))),
  };
}

/** `ctx.services`: what one plugin hands another, each side only as declared in its manifest. */
function pluginServices(core: CoreServices, gen: Generation): PluginContext['services'] {
  const { ledger, capabilities: caps, plugin: name } = gen;
  return {
    provide(service, impl) {
      if (!caps.services.provide.includes(service)) throw capabilityMissing(name, `"services": { "provide": ["${service}"] }`);
      if (ledger.services.has(service)) throw new Error(`service ${service} provided twice`);
      ledger.services.set(service, trackedObject(gen, impl as object));
    },
    use<T>(service: string): T | undefined {
      if (!caps.services.use.includes(service)) throw capabilityMissing(name, `"services": { "use": ["${service}"] }`);
      return core.registry.services.get(service)?.impl as T | undefined;
    },
  };
}

export function createContext(core: CoreServices, gen: Generation, settingsSchema: PluginDefinition['settings']): PluginContext<any> {
  const { ledger, capabilities: caps } = gen;
  const name = gen.plugin;
  ledger.settingsSchema = settingsSchema;
  return {
    name,
    routes: createPluginRoutes(name, ledger.routes),
    tools: pluginTools(core, gen),
    providers: {
      register(def: ProviderDefinition) {
        if (!/^[a-z0-9-]{1,64}$/.test(def.id)) throw new Error(`invalid provider id "${def.id}"`);
        ledger.providers.set(def.id, trackedProvider(gen, def));
      },
    },
    embedders: { register: (def) => void ledger.embedders.set(def.id, trackedObject(gen, def)) },
    channels: {
      register: (def) => void ledger.channels.set(def.id, def.notify ? { ...def, notify: (u, t) => gen.enter(() => def.notify!(u, t)) } : def),
    },
    hooks: pluginHooks(gen),
    services: pluginServices(core, gen),
    timers: {
      setTimeout: (fn, ms) => gen.timer('timeout', fn, ms),
      setInterval: (fn, ms) => gen.timer('interval', fn, ms),
      clear: (handle) => gen.clearTimer(handle as NodeJS.Timeout | undefined),
    },
    store: pluginStore(core, name),
    conversations: core.conversations,
    sse: core.sse,
    events: core.events,
    memory: core.memory,
    workspace: scopedWorkspace(name, caps, core.workspace),
    agent: core.agent,
    auth: scopedAuth(name, caps, core.authApi),
    secrets: scopedSecrets(name, caps, core.secrets),
    settings: pluginSettings(core, gen, settingsSchema),
    host: scopedHost(name, caps, core.hostApi, (stat, fn) => void ledger.stats.set(stat, () => gen.enter(fn))),
    log: gen.log,
    cluster: pluginCluster(core.cluster, gen),
    onUnload: (fn) => void ledger.unloads.push(fn),
  };
}
