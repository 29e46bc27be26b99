/**
 * Wires the core services together, top-down: storage and accounts, the memory store, the agent, the plugin host with
 * its registry, then the `ctx` each plugin generation gets. `createRuntime` is used by the server and by benchmarks.
 */
import path from 'node:path';
import type { Context } from 'koa';
import type { Logger } from 'pino';
import type { AuthApi, HostApi, SseApi, User } from './plugin-api/types.ts';
import { ROOT_DIR, type Config } from './config.ts';
import { AppError } from './errors.ts';
import { Accounts } from './auth/accounts.ts';
import { limitsFor } from './auth/plans.ts';
import { setQuotaHeaders, UsageTracker } from './auth/usage.ts';
import { AgentService } from './agent/service.ts';
import type { ProviderLookup } from './agent/model-resolution.ts';
import { Conversations } from './conversations.ts';
import { requestAuthenticator, routeServices } from './auth/request-auth.ts';
import { PluginHost, type PluginHostOptions } from './plugins/host.ts';
import { createContext } from './plugins/context.ts';
import { createHostApi } from './plugins/host-api.ts';
import type { Generation } from './plugins/generation.ts';
import { Registry } from './plugins/registry.ts';
import { Prompts } from './prompts.ts';
import { Secrets } from './secrets.ts';
import { SettingsService } from './settings.ts';
import { streamAgent } from './sse/stream-agent.ts';
import { SseWriter } from './sse/writer.ts';
import { EventHub } from './events/hub.ts';
import { instrumentAgent } from './metrics/index.ts';
import type { Store } from './store/store.ts';
import { openStore } from './store/open.ts';
import { cleanInterruptedWrites } from './store/temp-files.ts';
import { LocalEmbedder, type MemoryService } from './memory/index.ts';
import { openMemoryService } from './memory/factory.ts';
import { WorkspaceService } from './workspace/service.ts';
import { openCluster, sharedAccounts, sharedUsage, type Cluster } from './cluster/index.ts';
import { wireCluster } from './cluster/wire.ts';

export { Registry };

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
  memory: MemoryService;
  workspace: WorkspaceService;
  agent: AgentService;
  authApi: AuthApi;
  hostApi: HostApi;
  sse: SseApi;
  events: EventHub;
  host: PluginHost;
  registry: Registry;
  /** The instances serving this installation together (in-process on a single instance). */
  cluster: Cluster;
  /** The caller of a request (bearer token), as every route resolves it. */
  authenticate(ctx: Context): Promise<User | undefined>;
}

export async function createRuntime(config: Config, log: Logger): Promise<CoreServices> {
  const store = await openStore(log, { dataDir: config.dataDir, cacheBytes: config.storeCacheBytes }); // PostgreSQL when DATABASE_URL is set
  await cleanInterruptedWrites(config.dataDir, config.envFile, performance.timeOrigin, log, { shared: store.shared });
  const cluster = await openCluster({ databaseUrl: process.env.DATABASE_URL, pool: store.pool, log });
  if (cluster.fence) store.useChangeFence?.(cluster.fence);
  const accounts = new Accounts(store, config.jwtSecret, { signupsPerHour: config.signupRateLimit }, sharedAccounts(cluster));
  await accounts.assertIntact(); // damaged accounts → refuse to start (StartupRefusedError), before anything else runs
  const settings = new SettingsService(store);
  await settings.load();
  const usage = new UsageTracker(store, sharedUsage(cluster));
  const prompts = new Prompts(config.promptsDir, path.join(config.dataDir, 'prompts'));
  const conversations = new Conversations(store);
  const memory = await loadMemory(config, log, store.pool);
  const registry = new Registry();
  const providers = providerLookup(registry);
  const agent = new AgentService({
    providers,
    tools: () => registry.tools,
    toolResultHooks: () => registry.toolResultHooks,
    doneHooks: () => registry.doneHooks,
    turnErrorHooks: () => registry.turnErrorHooks,
    systemContextHooks: () => registry.systemContextHooks,
    settings, prompts, conversations, usage, store, log,
    memory: () => memory,
  });
  instrumentAgent(agent);
  const requestAuth = requestAuthenticator(accounts);
  const host = new PluginHost(hostOptions(config), store, log, routeServices(requestAuth, usage), (gen, schema) => createContext(core, gen, schema));
  const applyEmbedder = () => switchEmbedder(memory, settings, registry);
  const hostApi = createHostApi({
    config, log, host, registry, settings, prompts, conversations, accounts, memory, store, providers, afterSettingsChange: applyEmbedder, startedAt: Date.now(),
  });
  host.onChange = () => {
    registry.rebuild(host);
    applyEmbedder();
  };
  host.onActivate = (gen) => activateSettings(settings, gen);
  const authenticate = async (ctx: Context) => (await requestAuth(ctx)).user;
  const core: CoreServices = {
    config, log, store, accounts, usage, settings, prompts, conversations, memory, agent, host, registry, hostApi,
    secrets: new Secrets(config.envFile),
    workspace: new WorkspaceService(config.dataDir, settings, [config.dataDir, config.envFile, path.join(ROOT_DIR, '.env')], config.pluginDirs),
    authApi: authApi(accounts, usage, authenticate),
    sse: { streamAgent, open: (ctx) => new SseWriter(ctx) },
    events: new EventHub(),
    authenticate,
    cluster,
  };
  await wireCluster(core, applyEmbedder);
  return core;
}

/** Providers as the agent looks them up: always the current registry. */
function providerLookup(registry: Registry): ProviderLookup {
  return {
    get: (id: string) => registry.providers.get(id)?.def,
    all: () => [...registry.providers.values()].map((p) => p.def),
  };
}

function hostOptions(config: Config): PluginHostOptions {
  const setupTimeout = Number(process.env.PLUGINS_SETUP_TIMEOUT_MS);
  return {
    dirs: config.pluginDirs,
    builtinDir: config.pluginDirs[0],
    dataDir: config.dataDir,
    watch: config.pluginsWatch,
    watchPoll: ['1', 'true'].includes(process.env.PLUGINS_WATCH_POLL ?? ''),
    prebuiltDir: path.join(ROOT_DIR, 'dist', 'plugin-cache'),
    setupTimeoutMs: setupTimeout > 0 ? setupTimeout : undefined,
  };
}

/** `ctx.auth`: verifying tokens, plan quotas and account management (scoped per plugin by its capabilities). */
function authApi(accounts: Accounts, usage: UsageTracker, authenticate: (ctx: Context) => Promise<User | undefined>): AuthApi {
  return {
    verify: (token) => accounts.verify(token),
    authenticate,
    getUser: (id) => accounts.get(id),
    firstAdmin: () => accounts.firstAdmin(),
    // Every channel (Telegram, Alexa, schedules, both chat dialects) counts a message here: a disabled account stops.
    consumeChat: async (user) => {
      if ((await accounts.get(user.id))?.disabled) throw new AppError(403, 'ACCOUNT_DISABLED', 'This account is disabled; ask an admin');
      return usage.consume(user);
    },
    chatQuota: (user) => usage.quota(user),
    setQuotaHeaders,
    accounts: {
      signup: (i, address) => accounts.signupFrom(address ?? 'unknown', i),
      login: (i, address) => accounts.login(i, address),
      updateProfile: (id, p) => accounts.updateProfile(id, p),
      changePassword: (id, o, n) => accounts.changePassword(id, o, n),
      rotateTokens: (id) => accounts.rotateTokens(id),
      list: () => accounts.list(),
      adminUpdate: (id, p) => accounts.adminUpdate(id, p),
      usage: (user) => usage.usage(user),
      limits: (user) => limitsFor(user),
      apiKeys: {
        create: (userId, name) => accounts.apiKeys.create(userId, name),
        list: (userId) => accounts.apiKeys.list(userId),
        revoke: (userId, id) => accounts.apiKeys.revoke(userId, id),
      },
    },
  };
}

/** Switch the memory store to the embedder the settings name, once a plugin provides it (re-embeds in the background). */
function switchEmbedder(memory: MemoryService, settings: SettingsService, registry: Registry): void {
  const wanted = settings.get().embedder;
  const current = memory.currentEmbedder();
  if (wanted === 'local') {
    if (!current.id.startsWith('local-')) memory.setEmbedder(new LocalEmbedder());
    return;
  }
  const embedder = registry.embedders.get(wanted);
  if (embedder && current.id !== embedder.id) memory.setEmbedder(embedder);
}

/** At swap (never before): the generation's settings schema and listeners replace the old generation's. */
function activateSettings(settings: SettingsService, gen: Generation): void {
  settings.registerPlugin(gen.plugin, gen.ledger.settingsSchema);
  for (const fn of gen.ledger.settingsListeners) {
    settings.onPluginChange(gen.plugin, (value) => {
      if (gen.retired) return;
      gen.enter(() => fn(value)).catch((error) => gen.log.warn({ err: { message: String(error?.message ?? error) } }, 'settings listener failed'));
    });
  }
}

/** The shared memory store: on PostgreSQL when DATABASE_URL is set, else in DATA_DIR/memory. */
function loadMemory(config: Config, log: Logger, pool: Store['pool']): Promise<MemoryService> {
  // One pool per instance: the store opened it (and applied every migration, memory's included).
  return openMemoryService({ dataDir: config.dataDir, log: log.child({ module: 'memory' }), annThreshold: ANN_THRESHOLD, pool });
}

/**
 * Per-user vector count above which an approximate (usearch HNSW) index would take over from exact search: never, by
 * default. The local n-gram embedder's vectors are nearly orthogonal, the hard case for HNSW (recall@10 ≥ 0.98 needs
 * ef 2048, ~16 ms a query at 100k), while the exact scan over int8 rows with float re-ranking (`exact-scan.ts`) costs
 * ~2.5 ms at 100k with recall ≥ 0.98 — and needs no index build after start. `AION_ANN_THRESHOLD` turns HNSW on.
 */
const ANN_THRESHOLD = Number(process.env.AION_ANN_THRESHOLD) > 0 ? Number(process.env.AION_ANN_THRESHOLD) : Infinity;
