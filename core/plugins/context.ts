/**
 * Builds each generation's `ctx`: every registration goes into the generation's ledger, so unloading removes exactly
 * what the plugin added; everything else is a narrow view of a core service.
 */
import type { Logger } from 'pino';
import type { PluginContext, PluginDefinition, PluginStore } from '../plugin-api/types.ts';
import { createPluginRoutes } from '../http/route-table.ts';
import { registerTool } from '../agent/tool-registry.ts';
import type { Generation } from './generation.ts';
import type { CoreServices } from '../runtime.ts';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

export function createContext(core: CoreServices, gen: Generation, settingsSchema: PluginDefinition['settings']): PluginContext<any> {
  const { ledger } = gen;
  const name = gen.plugin;
  core.settings.registerPlugin(name, settingsSchema);
  const pluginState = core.store.collection<{ id: string; value: unknown }>(`plugin-${name}`);
  const store: PluginStore = {
    collection: (n) => core.store.collection(n),
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
  const log: Logger = gen.log;
  return {
    name,
    routes: createPluginRoutes(name, ledger.routes),
    tools: {
      register(def) {
        if (ledger.tools.has(def.name)) throw new Error(`tool ${def.name} registered twice`);
        registerTool(def, name); // validates the definition now, so setup fails loudly
        ledger.tools.set(def.name, def);
      },
    },
    providers: {
      register(def) {
        if (!/^[a-z0-9-]{1,64}$/.test(def.id)) throw new Error(`invalid provider id "${def.id}"`);
        ledger.providers.set(def.id, def);
      },
    },
    embedders: { register: (def) => void ledger.embedders.set(def.id, def) },
    channels: { register: (def) => void ledger.channels.set(def.id, def) },
    hooks: {
      onToolResult: (fn) => void ledger.toolResultHooks.push(fn),
      onDone: (fn) => void ledger.doneHooks.push(fn),
      systemContext: (fn) => void ledger.systemContextHooks.push(fn),
      statusFields: (fn) => void ledger.statusHooks.push(fn),
    },
    store,
    conversations: core.conversations,
    sse: core.sse,
    events: core.events,
    memory: core.memory,
    workspace: core.workspace,
    agent: core.agent,
    auth: core.authApi,
    secrets: core.secrets,
    settings: {
      get: () => core.settings.plugin(name),
      set: async (patch) => {
        await core.settings.set({ [name]: patch });
        return core.settings.plugin(name);
      },
      onChange: (fn) => core.settings.onPluginChange(name, fn),
    },
    host: core.hostApi,
    log,
    onUnload: (fn) => void ledger.unloads.push(fn),
  };
}
