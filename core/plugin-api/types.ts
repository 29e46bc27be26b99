/**
 * The plugin contract: everything a plugin may touch. A plugin imports only `core/plugin-api`; these types are the
 * whole door into core (`spec/plugins.md`).
 */
import type { Context as KoaContext } from 'koa';
import type { Logger } from 'pino';
import type { ZodType } from 'zod';
import type {
  AgentEvent,
  ChatMessage,
  ContentBlock,
  ProviderEvent,
  StopReason,
  Usage,
} from '../agent/events.ts';

export type { AgentEvent, ChatMessage, ContentBlock, ProviderEvent, StopReason, Usage, Logger };

/** A plain JSON Schema object (draft 2020-12 subset), as providers see tool inputs. */
export type JsonSchema = Record<string, unknown>;

/** Plans of the ALIN API. */
export type Plan = 'free' | 'pro' | 'enterprise';
/** Roles: the first account is `admin`. */
export type Role = 'user' | 'admin';

/** A signed-in user as plugins see it (never a password hash). */
export interface User {
  id: string;
  email: string;
  displayName: string;
  plan: Plan;
  role: Role;
  isAdmin: boolean;
  createdAt: number;
}

// ───────────────────────────── routes ─────────────────────────────

/** Who may call a route. Default `user`. */
export type RouteAccess = 'public' | 'user' | 'admin';

/** Options of one route: access rule and the zod schemas its inputs are parsed with before the handler runs. */
export interface RouteOptions<B = unknown, Q = unknown, P = unknown> {
  access?: RouteAccess;
  /** Body schema (zod). A non-matching body → 400 with `details`. */
  body?: ZodType<B>;
  /** Query schema (zod). Values arrive as strings; use `z.coerce`. */
  query?: ZodType<Q>;
  /** Path-parameter schema (zod). */
  params?: ZodType<P>;
  /** One line for the OpenAPI document. */
  summary?: string;
  /** Parse multipart bodies (uploads) instead of JSON only. */
  multipart?: boolean;
  /** Answer with a raw stream (SSE): the host does not compress or buffer it. */
  stream?: boolean;
  /** Plan quota applied before the handler (`chat` counts against the hourly chat limit). */
  quota?: 'chat';
}

/** What a handler receives besides the Koa context: the parsed inputs and the caller. */
export interface RouteInput<B = any, Q = any, P = any> {
  body: B;
  query: Q;
  params: P;
  /** The caller; `undefined` only on public routes without a token. */
  user: User | undefined;
}

/**
 * A route handler. Return a value to send it as the JSON body (status 200 unless `ctx.status` was set), or write
 * `ctx.body` yourself. Throw `AppError` (or the helpers `badRequest`, `notFound`, …) for 4xx answers.
 */
export type RouteHandler<B = any, Q = any, P = any> = (ctx: KoaContext, input: RouteInput<B, Q, P>) => unknown;

type RouteMethod = <B = any, Q = any, P = any>(
  path: string,
  optionsOrHandler: RouteOptions<B, Q, P> | RouteHandler<B, Q, P>,
  handler?: RouteHandler<B, Q, P>,
) => void;

/** A router scoped to one plugin, mounted under `/api`. Routes need a signed-in user unless `access: 'public'`. */
export interface PluginRoutes {
  get: RouteMethod;
  post: RouteMethod;
  put: RouteMethod;
  patch: RouteMethod;
  delete: RouteMethod;
  /** The same methods with `access: 'public'` preset (webhooks, OAuth callbacks). */
  public: { get: RouteMethod; post: RouteMethod };
}

// ───────────────────────────── tools ─────────────────────────────

/** How dangerous a tool is. */
export type ToolRisk = 'read' | 'write' | 'exec' | 'network';

/** What a running tool gets besides its arguments. */
export interface ToolCallContext {
  /** The tool call's id (the model's `tool_use` id). */
  id: string;
  user: User;
  conversationId: string;
  /** Aborted when the client disconnects, the turn is stopped, or the tool times out. */
  signal: AbortSignal;
  /** Report progress of a long tool (0–100). */
  emit(progress: { percent: number; label?: string }): void;
}

/** A tool the agent may call. */
export interface ToolDefinition<A = any> {
  /** Unique, `[a-zA-Z0-9_-]{1,64}`. */
  name: string;
  description: string;
  /** A zod schema or a plain JSON Schema object; providers see JSON Schema. */
  input: ZodType<A> | JsonSchema;
  risk: ToolRisk;
  /** Ask the user before running; a function decides per call. Fails closed: an error while deciding = ask. */
  needsApproval?: boolean | ((args: A, call: ToolCallContext) => boolean | Promise<boolean>);
  /** Default 60 s. */
  timeoutMs?: number;
  run(args: A, call: ToolCallContext): unknown | Promise<unknown>;
}

// ───────────────────────────── providers ─────────────────────────────

/** One model call as a provider receives it. */
export interface ProviderRequest {
  model: string;
  system?: string;
  messages: ChatMessage[];
  tools?: Array<{ name: string; description: string; inputSchema: JsonSchema }>;
  maxTokens: number;
  temperature?: number;
  /** Extended thinking with a token budget, when asked for. */
  thinking?: { budgetTokens: number };
}

/** An LLM provider. */
export interface ProviderDefinition {
  /** `echo`, `anthropic`, `openai`, `gemini`, `ollama`, `claude-cli`, … */
  id: string;
  label: string;
  /** Model-name prefixes that select this provider (`claude`, `gpt`, …). */
  prefixes: string[];
  /** Known models; the first is the default. */
  models: string[];
  /** Environment keys it reads (shown masked in `/api/keys`). */
  envKeys: string[];
  /** True when it can be used now (a key is set, a CLI is found, …). */
  isConfigured(): boolean;
  /** Accepts any model name (e.g. Ollama's local models) rather than only `models`. */
  acceptsAnyModel?: boolean;
  /** Stream one model call. Must stop promptly when `signal` aborts. */
  stream(request: ProviderRequest, signal: AbortSignal): AsyncIterable<ProviderEvent>;
}

/** Turns texts into vectors for memory search. */
export interface EmbedderDefinition {
  /** Stable id recorded with every vector, e.g. `local-ngram-256`, `openai:text-embedding-3-small`. */
  id: string;
  dims: number;
  isConfigured(): boolean;
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

// ───────────────────────────── channels ─────────────────────────────

/** A long-running connection: a bot, a poller. `status()` → `running`, `stopped` or `error: …`. */
export interface ChannelDefinition {
  id: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
  status(): string;
  /** Deliver a message to this user out of band (e.g. a late Alexa answer); true when it reached them. */
  notify?(user: User, text: string): Promise<boolean>;
}

// ───────────────────────────── store ─────────────────────────────

/** A document with an id. */
export type Doc = { id: string } & Record<string, any>;

/** One collection of documents in one JSON file (lowdb). Writes resolve once the data is on disk. */
export interface Collection<T extends Doc> {
  get(id: string): Promise<T | undefined>;
  /** All documents, insertion order (copies). */
  all(): Promise<T[]>;
  /** All documents without copying them: frozen, read-only — for hot read paths. */
  snapshot(): Promise<ReadonlyArray<Readonly<T>>>;
  find(predicate: (doc: T) => boolean): Promise<T[]>;
  count(): Promise<number>;
  /** Insert; an existing id → `conflict` error (409). */
  insert(doc: T): Promise<T>;
  /** Replace or insert. */
  put(doc: T): Promise<T>;
  /** Merge a patch or apply a function; `undefined` when there is no such document. */
  update(id: string, patch: Partial<T> | ((doc: T) => T)): Promise<T | undefined>;
  delete(id: string): Promise<boolean>;
  /** Delete many in one write; returns how many. */
  deleteWhere(predicate: (doc: T) => boolean): Promise<number>;
  /** Remove the whole collection file. */
  drop(): Promise<void>;
}

/** A collection split into one file per partition key (e.g. per conversation), so one write rewrites one partition. */
export interface PartitionedCollection<T extends Doc> {
  partition(key: string): Collection<T>;
  /** Partition keys that exist on disk. */
  keys(): Promise<string[]>;
  dropPartition(key: string): Promise<void>;
}

/** The data of one user. Every query through it is scoped to that user by the store itself. */
export interface UserStore {
  readonly userId: string;
  /** A collection of this user's documents (`DATA_DIR/store/<name>/<userId>.json`). */
  collection<T extends Doc>(name: string): Collection<T>;
  /** A partitioned collection of this user's documents (`DATA_DIR/store/<name>/<userId>/<key>.json`). */
  partitioned<T extends Doc>(name: string): PartitionedCollection<T>;
}

/** The shared store. */
export interface PluginStore {
  /** A global collection (not per user). Prefer `forUser` for user data. */
  collection<T extends Doc>(name: string): Collection<T>;
  /** The only way to reach a user's data. */
  forUser(userId: string): UserStore;
  /** Ids of users that have data in the per-user collection `name`. */
  usersWith(name: string): Promise<string[]>;
  /** This plugin's private key-value state (`DATA_DIR/store/plugin-<name>.json`). */
  plugin: {
    get<V = unknown>(key: string): Promise<V | undefined>;
    set<V = unknown>(key: string, value: V): Promise<void>;
    delete(key: string): Promise<void>;
  };
  /** This plugin's private folder for files (`DATA_DIR/plugins/<name>`), created on first use. */
  dir(): Promise<string>;
}

// ───────────────────────────── memory ─────────────────────────────

/** Memory layers (contract of `alin-api.md`, both lists). */
export type MemoryLayer =
  | 'short_term'
  | 'long_term'
  | 'semantic'
  | 'relational'
  | 'procedural'
  | 'working'
  | 'episodic'
  | 'meta'
  | 'immediate'
  | 'notes'
  | 'self_model';

/** One memory. */
export interface MemoryEntry {
  id: string;
  userId: string;
  content: string;
  layer: MemoryLayer;
  category: string;
  /** 0–1. */
  salience: number;
  tags: string[];
  metadata: Record<string, unknown>;
  isPinned: boolean;
  source: string;
  createdAt: number;
  updatedAt: number;
  expiresAt: number | null;
  /** Id of the embedder that made the vector; `null` until embedded. */
  embedder: string | null;
  dims: number;
}

export interface MemoryInput {
  id?: string;
  content: string;
  layer?: MemoryLayer;
  category?: string;
  salience?: number;
  tags?: string[];
  metadata?: Record<string, unknown>;
  isPinned?: boolean;
  source?: string;
  expiresAt?: number | null;
}

export interface MemoryQuery {
  /** Free text; empty = newest first. */
  search?: string;
  layer?: MemoryLayer;
  category?: string;
  limit?: number;
  offset?: number;
  /** Include expired entries (default false). */
  includeExpired?: boolean;
  /** Order when there is no search text: newest (default) or by salience. */
  order?: 'newest' | 'salience';
}

export interface MemorySearchResult {
  entries: Array<MemoryEntry & { score?: number }>;
  total: number;
}

/** The shared memory store (hybrid full-text + vector search), always per user. */
export interface MemoryApi {
  add(userId: string, input: MemoryInput): Promise<MemoryEntry>;
  get(userId: string, id: string): Promise<MemoryEntry | undefined>;
  search(userId: string, query: MemoryQuery): Promise<MemorySearchResult>;
  delete(userId: string, id: string): Promise<boolean>;
  /** Delete all of one user's memories; returns how many. */
  clear(userId: string): Promise<number>;
  /** Delete one user's expired memories; returns how many. */
  prune(userId: string): Promise<number>;
  /** Count, for one user or all. */
  count(userId?: string): number;
}

// ───────────────────────────── agent ─────────────────────────────

/** A request to run the whole agent loop (AION dialect, channels). */
export interface AgentRunRequest {
  user: User;
  /** Existing or new conversation id; default: the user's current AION session. */
  conversationId?: string;
  message: string;
  images?: Array<{ mediaType: string; data: string } | { url: string }>;
  provider?: string;
  model?: string;
  signal?: AbortSignal;
  /** Which channel runs it (`web`, `telegram`, `alexa`, …) — stored with the turn. */
  channel?: string;
  /** Extra system-prompt text for this turn only (e.g. "voice request, locale de-DE; answer briefly"). Not saved. */
  system?: string;
  /** Only these server tools are offered and runnable in this run (sub-agents); default all. */
  tools?: string[];
  /** At most this many model calls (capped by the `max_steps` setting). */
  maxSteps?: number;
}

/** A request for one model turn with client-side tools (ALIN dialect). */
export interface AgentTurnRequest {
  user: User;
  messages: ChatMessage[];
  model?: string;
  provider?: string;
  system?: string;
  tools?: Array<{ name: string; description?: string; input_schema?: JsonSchema; inputSchema?: JsonSchema }>;
  thinking?: boolean;
  thinkingBudget?: number;
  maxTokens?: number;
  temperature?: number;
  conversationId?: string;
  signal?: AbortSignal;
}

export interface AgentApi {
  /** Run the loop: model, server-side tools, results fed back, until the model stops. */
  run(request: AgentRunRequest): AsyncIterable<AgentEvent>;
  /** One model turn; client tools are reported, not run. */
  runTurn(request: AgentTurnRequest): AsyncIterable<AgentEvent>;
  /** Answer a pending approval; false when the id is unknown or another user's. */
  approve(user: User, id: string, approved: boolean): boolean;
  /** Cancel the user's running turns; returns how many. */
  stop(userId: string): number;
  /** Start a new AION session for the user; returns its conversation id. */
  resetSession(userId: string): Promise<string>;
  /** The user's current AION session conversation id. */
  currentSession(userId: string): Promise<string>;
}

// ───────────────────────────── workspace ─────────────────────────────

/** Each user's confined folder: every path is resolved (symlinks included) and must stay inside it. */
export type WorkspaceApi = import('../workspace/service.ts').WorkspaceService;
export type { ExecuteResult, ScanOptions, SearchOptions } from '../workspace/index.ts';

// ───────────────────────────── auth, secrets, settings ─────────────────────────────

/** Plan quotas for chat: check before a message, headers for the response. */
export interface QuotaStatus {
  limited: boolean;
  limit: number;
  remaining: number;
  /** Unix seconds when the oldest counted message leaves the window. */
  resetAt: number;
}

export interface AuthApi {
  /** Verify a bearer token → user, or `undefined`. */
  verify(token: string): Promise<User | undefined>;
  /** Find a user by id. */
  getUser(id: string): Promise<User | undefined>;
  /** The first admin (channels act as it by default). */
  firstAdmin(): Promise<User | undefined>;
  /** Count one chat message against the plan; throws 429 when over. Returns the quota after counting. */
  consumeChat(user: User): Promise<QuotaStatus>;
  /** The quota without counting. */
  chatQuota(user: User): QuotaStatus;
  /** Set `X-RateLimit-*` headers for a limited plan. */
  setQuotaHeaders(ctx: KoaContext, quota: QuotaStatus): void;
  /** Account management used by the accounts plugin. */
  accounts: AccountsApi;
}

/** Conversations and messages of one user (shared by the ALIN endpoints and the agent loop). */
export type UserConversationsApi = import('../conversations.ts').UserConversations;
export type { ConversationRecord, MessageRecord } from '../conversations.ts';

/** Server-sent events in the two dialects of `events.md`. */
export interface SseApi {
  /** Run `start` and stream its events to the client; failures before the first event answer as JSON. */
  streamAgent(ctx: KoaContext, dialect: 'aion' | 'alin', start: (signal: AbortSignal) => AsyncIterable<AgentEvent>): Promise<void>;
  /** Open a long-lived event stream (heartbeats included) for server-initiated messages. */
  open(ctx: KoaContext): SseStream;
}

/** A long-lived SSE response. */
export interface SseStream {
  /** An unnamed frame (`id:` + `data: JSON`), which a browser `EventSource` delivers to `onmessage`. */
  message(payload: Record<string, unknown>, id?: number): void;
  /** Aborted when the client goes away. */
  readonly disconnected: AbortSignal;
  close(): void;
}

export interface AccountsApi {
  signup(input: { email: string; password: string; displayName?: string }): Promise<{ user: User; token: string }>;
  login(input: { email: string; password: string }, address: string): Promise<{ user: User; token: string }>;
  updateProfile(userId: string, patch: { displayName?: string; email?: string }): Promise<User>;
  changePassword(userId: string, oldPassword: string, newPassword: string): Promise<void>;
  list(): Promise<User[]>;
  adminUpdate(userId: string, patch: { plan?: Plan; role?: Role }): Promise<User>;
  /** Usage for `/api/auth/me`. */
  usage(user: User): Promise<{ messagesThisHour: number; messagesLimit: number | null; messagesRemaining: number | null; tokensToday: number; tokensByDay: Record<string, number> }>;
  /** The limits of the user's plan. */
  limits(user: User): { messagesPerHour: number | null; toolCallsPerMessage: number | null; tbwo: boolean; maxTokens: number; thinkingBudget: number };
}

/** Keys and tokens from the environment / `ENV_FILE`. Values are never logged. */
export interface SecretsApi {
  get(name: string): string | undefined;
  has(name: string): boolean;
  /** Save into `ENV_FILE` (atomic, mode 600) and `process.env`. */
  set(values: Record<string, string>): Promise<void>;
  /** `abcd…wxyz`, `●●●●`, or `""`. */
  mask(value: string | undefined): string;
}

/** This plugin's settings (parsed by its `settings` schema). */
export interface SettingsApi<S> {
  get(): S;
  /** Validate and save a partial update. */
  set(patch: Partial<S>): Promise<S>;
  onChange(fn: (settings: S) => void): void;
}

/** The runtime-wide settings (model, thinking level, …) that `/api/config/settings` edits. */
export interface GlobalSettingsApi {
  get(): Record<string, any>;
  set(patch: Record<string, unknown>): Promise<Record<string, any>>;
}

// ───────────────────────────── host (privileged, for the control plugin) ─────────────────────────────

export interface PluginStatus {
  name: string;
  version: string;
  description: string;
  builtin: boolean;
  required: boolean;
  enabled: boolean;
  status: 'loaded' | 'disabled' | 'error' | 'loading';
  error?: string;
  tools: Array<{ name: string; description: string }>;
  providers: string[];
  channels: string[];
  routes: string[];
  loadMs: number | null;
  loadedAt: number | null;
}

export interface RegisteredProvider {
  def: ProviderDefinition;
  plugin: string;
}

/** Host-wide views and actions. Meant for the control plugin; other plugins read from it. */
export interface HostApi {
  version: string;
  startedAt: number;
  dataDir: string;
  plugins(): PluginStatus[];
  reload(name?: string): Promise<PluginStatus[]>;
  enable(name: string): Promise<PluginStatus>;
  disable(name: string): Promise<PluginStatus>;
  tools(): Array<{ name: string; description: string; plugin: string; risk: ToolRisk }>;
  providers(): RegisteredProvider[];
  channels(): Array<{ id: string; plugin: string; status: string }>;
  /** Send `text` to `user` through every channel that can reach them; returns the ids of those that delivered. */
  notify(user: User, text: string): Promise<string[]>;
  embedders(): EmbedderDefinition[];
  settings: GlobalSettingsApi;
  /** Active provider and model (setting, falling back to echo when the chosen one is not configured). */
  activeModel(): { provider: string; model: string };
  /** The provider a model name belongs to: an exact model of a provider, else the longest matching prefix. */
  providerForModel(model: string): ProviderDefinition | undefined;
  prompts: {
    names: readonly ['rules', 'character', 'self'];
    read(name: 'rules' | 'character' | 'self'): Promise<{ content: string; path: string; edited: boolean }>;
    write(name: 'rules' | 'character' | 'self', content: string): Promise<number>;
    revert(name: 'rules' | 'character' | 'self'): Promise<void>;
  };
  /** Key names a provider or plugin declared (allowed in `/api/keys`). */
  declaredKeys(): Array<{ label: string; keys: string[] }>;
  /** Sizes for `/api/config` stats. */
  stats(): Promise<Record<string, number>>;
  /** Register a stats contributor (name → number). */
  addStat(name: string, fn: () => number | Promise<number>): void;
  /** The fields plugins add to this user's `GET /api/status` (`hooks.statusFields`). */
  statusFields(user: User): Promise<Record<string, unknown>>;
}

// ───────────────────────────── push events (`GET /api/events`) ─────────────────────────────

/** A server-initiated event for one user: `type` is what clients switch on (`proactive`, `warning`, `wakeup` …). */
export interface PushEvent {
  type: string;
  [field: string]: unknown;
}

/** A published event: numbered (the SSE `id`, for `Last-Event-ID`) and stamped. */
export type PushedEvent = PushEvent & { id: number; ts: string };

/** The push hub: events for one user reach every open `GET /api/events` stream of that user. */
export interface EventsApi {
  publish(userId: string, event: PushEvent): PushedEvent;
  /** Listen to one user's events; returns the function that stops listening. */
  subscribe(userId: string, fn: (event: PushedEvent) => void): () => void;
  /** The user's recent events newer than `lastId` (a reconnecting stream catches up with them). */
  since(userId: string, lastId: number): PushedEvent[];
  /** How many push streams the user has open (a channel may skip a push nobody sees). */
  listenerCount(userId: string): number;
}

// ───────────────────────────── the context ─────────────────────────────

/** Attach output media (speech) to finished AION turns: called with each done event before it is sent. */
export type DoneHook = (event: Extract<AgentEvent, { type: 'done' }>, info: { user: User; conversationId: string; channel: string }) => Promise<void> | void;

/** Text for the system prompt of one AION turn (a focus, recent reflections …); empty or nothing adds none. */
export type SystemContextHook = (info: { user: User; conversationId: string; message: string; channel: string }) => string | undefined | Promise<string | undefined>;

/** Extra fields of the caller's `GET /api/status` (e.g. `mood`). */
export type StatusFieldsHook = (user: User) => Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>;

/** What `setup(ctx)` receives. Everything registered through it is removed when the plugin unloads. */
export interface PluginContext<S = Record<string, unknown>> {
  /** The plugin's name. */
  readonly name: string;
  readonly routes: PluginRoutes;
  readonly tools: { register<A>(def: ToolDefinition<A>): void };
  readonly providers: { register(def: ProviderDefinition): void };
  readonly embedders: { register(def: EmbedderDefinition): void };
  readonly channels: { register(def: ChannelDefinition): void };
  /** Hooks into the agent loop. */
  readonly hooks: {
    /** Called after each tool call (success and duration) — the self-model records reliability with it. */
    onToolResult(fn: (info: { user: User; name: string; ok: boolean; durationMs: number; error?: string; model: string }) => void): void;
    /** Called before a finished AION turn's `done` is sent; may attach media. */
    onDone(fn: DoneHook): void;
    /** Called while the system prompt of each AION turn is built; the returned text is appended (not saved). */
    systemContext(fn: SystemContextHook): void;
    /** Called by `GET /api/status` for a signed-in caller; the fields are merged into the answer. */
    statusFields(fn: StatusFieldsHook): void;
  };
  readonly store: PluginStore;
  /** Conversations and messages, per user: `conversations.forUser(userId)`. */
  readonly conversations: { forUser(userId: string): UserConversationsApi };
  readonly sse: SseApi;
  /** Push events to a user's open `GET /api/events` streams. */
  readonly events: EventsApi;
  readonly memory: MemoryApi;
  /** Workspace files and sandboxed code execution, per user. */
  readonly workspace: WorkspaceApi;
  readonly agent: AgentApi;
  readonly auth: AuthApi;
  readonly secrets: SecretsApi;
  readonly settings: SettingsApi<S>;
  readonly host: HostApi;
  readonly log: Logger;
  /** Cleanup on disable, reload and shutdown; run in reverse order of registration. */
  onUnload(fn: () => unknown): void;
}

/** What a plugin's default export is. `definePlugin` only types it; a plain object works too. */
export interface PluginDefinition<S = any> {
  /** Unique, `[a-z0-9-]+`. */
  name: string;
  version: string;
  description?: string;
  /** Cannot be disabled (accounts). */
  required?: boolean;
  /** Settings schema; defaults apply. */
  settings?: ZodType<S>;
  setup(ctx: PluginContext<S>): void | Promise<void>;
}
