/**
 * Wires the core services together: store, accounts, usage, settings, prompts, secrets, conversations, memory, agent,
 * and the plugin host with its registries. `createRuntime` is used by the server and by benchmarks.
 */
import path from 'node:path';
import type { Context } from 'koa';
import type { Logger } from 'pino';
import type {
  AuthApi,
  DoneHook,
  StatusFieldsHook,
  SystemContextHook,
  EmbedderDefinition,
  HostApi,
  ProviderDefinition,
  SseApi,
  User,
} from './plugin-api/types.ts';
import { ROOT_DIR, type Config } from './config.ts';
import { AppError, unauthorized } from './errors.ts';
import { Accounts } from './auth/accounts.ts';
import { limitsFor } from './auth/plans.ts';
import { setQuotaHeaders, UsageTracker } from './auth/usage.ts';
import { AgentService } from './agent/service.ts';
import { activeModel, providerForModel } from './agent/model-resolution.ts';
import { registerTool, type RegisteredTool } from './agent/tool-registry.ts';
import { Conversations } from './conversations.ts';
import { PluginHost } from './plugins/host.ts';
import { createContext } from './plugins/context.ts';
import { Prompts, type PromptName } from './prompts.ts';
import { Secrets } from './secrets.ts';
import { SettingsService } from './settings.ts';
import { streamAgent } from './sse/stream-agent.ts';
import { SseWriter } from './sse/writer.ts';
import { EventHub } from './events/hub.ts';
import { Store } from './store/store.ts';
import { directorySize } from './util/directory-size.ts';
import { LocalEmbedder, MemoryStore } from './memory/index.ts';
import { WorkspaceService } from './workspace/service.ts';

export interface CoreServices {
  config: Config;
  log: Logger;
  store: Store;
  accounts: Accounts;
  usage: UsageTracker;
  settings: SettingsService;
  prompts: Prompts;
  secrets: Secrets;
  conversations: Conversations;
  memory: MemoryStore;
  workspace: WorkspaceService;
  agent: AgentService;
  authApi: AuthApi;
  hostApi: HostApi;
  sse: SseApi;
  events: EventHub;
  host: PluginHost;
  registry: Registry;
}

/** Snapshots of what the loaded plugins registered, rebuilt on every plugin swap. */
export class Registry {
  tools = new Map<string, RegisteredTool>();
  providers = new Map<string, { def: ProviderDefinition; plugin: string }>();
  embedders = new Map<string, EmbedderDefinition>();
  channels: Array<{ id: string; plugin: string; status: () => string; notify?: (user: User, text: string) => Promise<boolean> }> = [];
  toolResultHooks: Array<(info: any) => void> = [];
  doneHooks: DoneHook[] = [];
  systemContextHooks: SystemContextHook[] = [];
  statusHooks: StatusFieldsHook[] = [];

  rebuild(host: PluginHost, log: Logger): void {
    const tools = new Map<string, RegisteredTool>();
    const providers = new Map<string, { def: ProviderDefinition; plugin: string }>();
    const embedders = new Map<string, EmbedderDefinition>();
    const channels: Registry['channels'] = [];
    const toolResultHooks: Registry['toolResultHooks'] = [];
    const doneHooks: DoneHook[] = [];
    const systemContextHooks: SystemContextHook[] = [];
    const statusHooks: StatusFieldsHook[] = [];
    for (const g of host.generations()) {
      for (const def of g.ledger.tools.values()) {
        if (tools.has(def.name)) {
          log.warn({ tool: def.name, plugin: g.plugin }, 'tool name already taken by another plugin; ignored');
          continue;
        }
        tools.set(def.name, registerTool(def, g.plugin));
      }
      for (const def of g.ledger.providers.values()) if (!providers.has(def.id)) providers.set(def.id, { def, plugin: g.plugin });
      for (const def of g.ledger.embedders.values()) embedders.set(def.id, def);
      for (const ch of g.ledger.channels.values()) {
        channels.push({ id: ch.id, plugin: g.plugin, status: () => safeStatus(ch.status), notify: ch.notify?.bind(ch) });
      }
      toolResultHooks.push(...g.ledger.toolResultHooks);
      doneHooks.push(...g.ledger.doneHooks);
      systemContextHooks.push(...g.ledger.systemContextHooks);
      statusHooks.push(...g.ledger.statusHooks);
    }
    Object.assign(this, { tools, providers, embedders, channels, toolResultHooks, doneHooks, systemContextHooks, statusHooks });
  }
}

function safeStatus(fn: () => string): string {
  try {
    return fn();
  } catch (error) {
    return `error: ${String((error as Error)?.message ?? error)}`;
  }
}

/** Bearer token from the Authorization header (a bare token works too, as in the original). */
function bearer(ctx: Context): string | undefined {
  const h = ctx.get('authorization');
  if (!h) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return (m ? m[1] : h).trim() || undefined;
}

export async function createRuntime(config: Config, log: Logger): Promise<CoreServices> {
  const store = new Store(config.dataDir, log);
  await store.loadGlobals();
  const accounts = new Accounts(store, config.jwtSecret);
  const usage = new UsageTracker(store);
  const settings = new SettingsService(store);
  await settings.load();
  const prompts = new Prompts(config.promptsDir, path.join(config.dataDir, 'prompts'));
  const secrets = new Secrets(config.envFile);
  const conversations = new Conversations(store);
  const registry = new Registry();
  const core = { config, log, store, accounts, usage, settings, prompts, secrets, conversations, registry, memory: undefined } as unknown as CoreServices;

  core.memory = await loadMemory(config, log);
  core.workspace = new WorkspaceService(config.dataDir, settings, [config.dataDir, config.envFile, path.join(ROOT_DIR, '.env')]);
  const providerLookup = {
    get: (id: string) => registry.providers.get(id)?.def,
    all: () => [...registry.providers.values()].map((p) => p.def),
  };
  core.agent = new AgentService({
    providers: providerLookup,
    tools: () => registry.tools,
    toolResultHooks: () => registry.toolResultHooks,
    doneHooks: () => registry.doneHooks,
    systemContextHooks: () => registry.systemContextHooks,
    settings,
    prompts,
    conversations,
    usage,
    store,
    memory: () => core.memory,
    log,
  });
  core.sse = { streamAgent, open: (ctx) => new SseWriter(ctx) };
  core.events = new EventHub();
  core.authApi = {
    verify: (token) => accounts.verify(token),
    getUser: (id) => accounts.get(id),
    firstAdmin: () => accounts.firstAdmin(),
    consumeChat: (user) => usage.consume(user),
    chatQuota: (user) => usage.quota(user),
    setQuotaHeaders,
    accounts: {
      signup: (i) => accounts.signup(i),
      login: (i, address) => accounts.login(i, address),
      updateProfile: (id, p) => accounts.updateProfile(id, p),
      changePassword: (id, o, n) => accounts.changePassword(id, o, n),
      list: () => accounts.list(),
      adminUpdate: (id, p) => accounts.adminUpdate(id, p),
      usage: (user) => usage.usage(user),
      limits: (user) => limitsFor(user),
    },
  };

  const extraStats = new Map<string, () => number | Promise<number>>();
  const startedAt = Date.now();
  core.host = new PluginHost(
    { dirs: config.pluginDirs, builtinDir: config.pluginDirs[0], dataDir: config.dataDir, watch: config.pluginsWatch, prebuiltDir: path.join(ROOT_DIR, 'dist', 'plugin-cache') },
    store,
    log,
    {
      authenticate: async (ctx) => {
        if (ctx.state.authResolved) return { user: ctx.state.user as User | undefined, error: ctx.state.authError };
        ctx.state.authResolved = true;
        const token = bearer(ctx);
        if (!token) return { error: unauthorized('Authentication required') };
        const user = await accounts.verify(token);
        ctx.state.user = user;
        if (!user) ctx.state.authError = unauthorized('Invalid or expired token', 'INVALID_TOKEN');
        return { user, error: ctx.state.authError as AppError | undefined };
      },
      chatQuota: async (ctx, user) => {
        const q = await usage.consume(user).catch((error) => {
          if (error instanceof AppError && error.status === 429) {
            setQuotaHeaders(ctx, { limited: true, limit: Number(error.extra?.limit ?? 0), remaining: 0, resetAt: Number(error.extra?.resetAt ?? 0) });
          }
          throw error;
        });
        setQuotaHeaders(ctx, q);
      },
    },
    (gen, schema) => createContext(core, gen, schema),
  );
  /** Switch the memory store to the embedder the settings name, once a plugin provides it (re-embeds in the background). */
  const applyEmbedder = () => {
    const mem = core.memory;
    const wanted = settings.get().embedder;
    const current = mem.currentEmbedder();
    if (wanted === 'local') {
      if (!current.id.startsWith('local-')) mem.setEmbedder(new LocalEmbedder());
      return;
    }
    const embedder = registry.embedders.get(wanted);
    if (embedder && current.id !== embedder.id) mem.setEmbedder(embedder);
  };
  core.host.onChange = () => {
    registry.rebuild(core.host, log);
    applyEmbedder();
  };
  core.hostApi = {
    version: config.version,
    startedAt,
    dataDir: config.dataDir,
    plugins: () => core.host.list(),
    reload: (name) => core.host.reload(name),
    enable: (name) => core.host.enable(name),
    disable: (name) => core.host.disable(name),
    tools: () => [...registry.tools.values()].map((t) => ({ name: t.def.name, description: t.def.description, plugin: t.plugin, risk: t.def.risk })),
    providers: () => [...registry.providers.values()],
    channels: () => registry.channels.map((c) => ({ id: c.id, plugin: c.plugin, status: c.status() })),
    notify: async (user, text) => {
      const delivered: string[] = [];
      for (const c of registry.channels) {
        if (!c.notify) continue;
        const ok = await c.notify(user, text).catch((error) => {
          log.warn({ channel: c.id, error: String(error?.message ?? error) }, 'channel could not deliver a notification');
          return false;
        });
        if (ok) delivered.push(c.id);
      }
      return delivered;
    },
    embedders: () => [...registry.embedders.values()],
    settings: {
      get: () => settings.all(),
      set: async (patch) => {
        const next = await settings.set(patch);
        applyEmbedder();
        return next;
      },
    },
    activeModel: () => {
      const a = activeModel(providerLookup, settings.get());
      return { provider: a.provider?.id ?? 'echo', model: a.model };
    },
    prompts: {
      names: ['rules', 'character', 'self'] as const,
      read: (n: PromptName) => prompts.read(n),
      write: (n: PromptName, c: string) => prompts.write(n, c),
      revert: (n: PromptName) => prompts.revert(n),
    },
    providerForModel: (model) => providerForModel(providerLookup, model),
    declaredKeys: () => [...registry.providers.values()].map((p) => ({ label: p.def.label, keys: p.def.envKeys })),
    stats: async () => {
      const totals = await conversations.totals();
      const out: Record<string, number> = {
        users: accounts.count(),
        conversations: totals.conversations,
        messages: totals.messages,
        memory_entries: core.memory.count(),
        plugins: core.host.list().filter((p) => p.status === 'loaded').length,
        uptime: Math.round((Date.now() - startedAt) / 1000),
        dataBytes: await directorySize(config.dataDir),
      };
      const reembed = core.memory.reembedProgress();
      Object.assign(out, { memory_reembed_done: reembed.done, memory_reembed_total: reembed.total, memory_reembed_running: reembed.running ? 1 : 0 });
      for (const [k, fn] of extraStats) out[k] = await fn();
      return out;
    },
    addStat: (n, fn) => void extraStats.set(n, fn),
    statusFields: async (user) => {
      const out: Record<string, unknown> = {};
      for (const hook of registry.statusHooks) {
        try {
          Object.assign(out, await hook(user));
        } catch (error) {
          log.warn({ error: String((error as Error)?.message ?? error) }, 'a status-fields hook failed');
        }
      }
      return out;
    },
  };
  return core;
}

/** The shared memory store, when its module is present (it is optional so the core boots without it). */
async function loadMemory(config: Config, log: Logger): Promise<MemoryStore> {
  const memory = new MemoryStore({ dataDir: config.dataDir, log: log.child({ module: 'memory' }), annThreshold: ANN_THRESHOLD });
  await memory.load();
  return memory;
}

/**
 * Per-user vector count above which the approximate (usearch HNSW) index takes over from exact search. The local n-gram
 * embedder's vectors are nearly orthogonal, the hard case for HNSW: recall@10 ≥ 0.95 needs a wide search (M 32,
 * ef 2048; 0.98–0.997 at 100k in scripts/bench/memory.ts), which costs ~16 ms a query — exact search over a contiguous
 * Float32Array costs ~19 ms at 100k and less below, so the approximate index only pays from about 100k vectors.
 */
const ANN_THRESHOLD = 100_000;
