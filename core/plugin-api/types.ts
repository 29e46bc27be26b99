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
  /** The OpenAPI `operationId` (default: derived from method and path, e.g. `getConversationsById`). */
  operationId?: string;
  /** Parse multipart bodies (uploads) instead of JSON only. */
  multipart?: boolean;
  /** Answer with a raw stream (SSE): the host does not compress or buffer it. */
  stream?: boolean;
  /** Plan quota applied before the handler (`chat` counts against the hourly chat limit). */
  quota?: 'chat';
  /**
   * Mount at the server root instead of under `/api` — for protocol endpoints other clients expect at a fixed place
   * (`/v1/...` of the OpenAI API, `/mcp`). The path must not start with `/api`.
   */
  root?: boolean;
}

/**
 * What a handler receives besides the Koa context: the parsed inputs and the caller. `U` is `User` on routes that need
 * a signed-in user (the default access) — the host has refused the request otherwise — and `User | undefined` on
 * public routes.
 */
export interface RouteInput<B = any, Q = any, P = any, U extends User | undefined = User | undefined> {
  body: B;
  query: Q;
  params: P;
  /** The caller; `undefined` only on public routes without a token. */
  user: U;
}

/**
 * A route handler. Return a value to send it as the JSON body (status 200 unless `ctx.status` was set), or write
 * `ctx.body` yourself. Throw `AppError` (or the helpers `badRequest`, `notFound`, …) for 4xx answers. (Without `U`
 * it is the host's view of any handler; `ctx.routes` gives each handler its precise `user` type.)
 */
export type RouteHandler<B = any, Q = any, P = any, U extends User | undefined = any> = (ctx: KoaContext, input: RouteInput<B, Q, P, U>) => unknown;

/** Registers one route; the handler's `input.user` is a `User` unless the route is public. */
interface RouteMethod {
  <B = any, Q = any, P = any>(path: string, options: RouteOptions<B, Q, P> & { access: 'public' }, handler: RouteHandler<B, Q, P, User | undefined>): void;
  <B = any, Q = any, P = any>(path: string, options: RouteOptions<B, Q, P>, handler: RouteHandler<B, Q, P, User>): void;
  <B = any, Q = any, P = any>(path: string, handler: RouteHandler<B, Q, P, User>): void;
}

/** `ctx.routes.public.*`: no user required, so `input.user` may be `undefined`. */
interface PublicRouteMethod {
  <B = any, Q = any, P = any>(path: string, options: RouteOptions<B, Q, P>, handler: RouteHandler<B, Q, P, User | undefined>): void;
  <B = any, Q = any, P = any>(path: string, handler: RouteHandler<B, Q, P, User | undefined>): void;
}

/** A router scoped to one plugin, mounted under `/api`. Routes need a signed-in user unless `access: 'public'`. */
export interface PluginRoutes {
  get: RouteMethod;
  post: RouteMethod;
  put: RouteMethod;
  patch: RouteMethod;
  delete: RouteMethod;
  /** The same methods with `access: 'public'` preset (webhooks, OAuth callbacks). */
  public: { get: PublicRouteMethod; post: PublicRouteMethod };
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
  /** The signed-in user the call is made for (per-user state of a provider, e.g. a host program's working folder). */
  userId?: string;
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
  /**
   * Who may use it: `everyone` (the default), `admin` (admins only), or a function that decides for a plain user
   * (admins always may). A provider that runs a host program outside the code sandbox (the Claude CLI) is not every
   * user's: the host answers other users' picks with 403 `PROVIDER_FORBIDDEN` and never chooses it for them.
   */
  access?: 'everyone' | 'admin' | ((user: User) => boolean);
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

/** Outcome of `createIfAbsent`: the stored document, or the one that already had the id. */
export type CreateResult<T> = { created: true; doc: T } | { created: false; existing: T };

/** Options given when a collection is declared (the first declaration's `isValid` wins; `critical` is sticky). */
export interface CollectionOptions {
  /**
   * The server must not run without this data: when its file is damaged, the server refuses to start (with a message
   * naming the file and its moved-aside copy) instead of starting the collection empty. Declare it in `setup()`.
   */
  critical?: boolean;
  /** Extra check of a stored document when the file is read; a document it refuses is damage. */
  isValid?: (doc: unknown) => boolean;
}

/** One collection of documents in one JSON file (lowdb). Writes resolve once the data is on disk. */
export interface Collection<T extends Doc> {
  get(id: string): Promise<T | undefined>;
  /** All documents, insertion order (copies). */
  all(): Promise<T[]>;
  /** All documents without copying them: frozen, read-only — for hot read paths. */
  snapshot(): Promise<ReadonlyArray<Readonly<T>>>;
  find(predicate: (doc: T) => boolean): Promise<T[]>;
  count(): Promise<number>;
  /** Insert; an existing id → `conflict` error (409). Atomic: of concurrent inserts with one id exactly one succeeds. */
  insert(doc: T): Promise<T>;
  /** Insert unless the id exists, checked and inserted in one step (no check-then-act race); never throws a 409. */
  createIfAbsent(doc: T): Promise<CreateResult<T>>;
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
  collection<T extends Doc>(name: string, options?: Pick<CollectionOptions, 'isValid'>): Collection<T>;
  /** A partitioned collection of this user's documents (`DATA_DIR/store/<name>/<userId>/<key>.json`). */
  partitioned<T extends Doc>(name: string): PartitionedCollection<T>;
}

/** The shared store. */
export interface PluginStore {
  /** A global collection (not per user). Prefer `forUser` for user data. */
  collection<T extends Doc>(name: string, options?: CollectionOptions): Collection<T>;
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
  /** Store a memory; an existing id is replaced. */
  add(userId: string, input: MemoryInput): Promise<MemoryEntry>;
  /** Store a new memory; an existing id → 409 `ALREADY_EXISTS`. Atomic: of concurrent creates with one id one wins. */
  create(userId: string, input: MemoryInput): Promise<MemoryEntry>;
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
  /**
   * Answer the caller's parked approval `id` and continue that turn (Telegram buttons); unknown or expired → 404.
   * Without it, a message "ja"/"yes"/"ok"/"y" answers the conversation's parked approval, "nein"/"no"/"n" refuses it.
   */
  approval?: { id: string; approved: boolean };
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
  /**
   * Names of registered tools to run server-side in a full loop (ALIN Coding mode: the workspace tools) instead of
   * one turn with client tools. Unknown names are ignored; approval rules apply as everywhere.
   */
  serverTools?: string[];
}

export interface AgentApi {
  /** Run the loop: model, server-side tools, results fed back, until the model stops. */
  run(request: AgentRunRequest): AsyncIterable<AgentEvent>;
  /** One model turn; client tools are reported, not run. */
  runTurn(request: AgentTurnRequest): AsyncIterable<AgentEvent>;
  /** Answer a parked approval (the turn continues in the background); false when the id is unknown or another user's. */
  approve(user: User, id: string, approved: boolean): boolean;
  /** True while the user's tool call `id` is parked, waiting for an answer. */
  isPending(userId: string, id: string): boolean;
  /** Cancel the user's running turns; returns how many. */
  stop(userId: string): number;
  /** Start a new AION session for the user; returns its conversation id. */
  resetSession(userId: string): Promise<string>;
  /** The user's current AION session conversation id. */
  currentSession(userId: string): Promise<string>;
  /**
   * The server-side tools as `user` may call them directly (outside a model turn, e.g. through MCP), with their JSON
   * Schema and whether a call needs the user's approval (decided for this user; an error while deciding = yes).
   */
  toolsFor(user: User): Promise<DirectTool[]>;
  /**
   * Run one server-side tool for `user`: arguments validated, approval asked through `confirm` when the tool needs it
   * (no `confirm` = denied), timeout and signal applied, tool-result hooks called. Never throws for tool failures.
   */
  callTool(request: DirectToolCall): Promise<{ ok: boolean; result: unknown }>;
}

/** A tool as `AgentApi.toolsFor` lists it. */
export interface DirectTool {
  name: string;
  description: string;
  risk: ToolRisk;
  plugin: string;
  inputSchema: JsonSchema;
  needsApproval: boolean;
}

/** One direct tool call (`AgentApi.callTool`). */
export interface DirectToolCall {
  user: User;
  name: string;
  args: unknown;
  signal?: AbortSignal;
  /** Recorded as the call's conversation (default `direct`). */
  conversationId?: string;
  /** Ask the user; resolve true to run. */
  confirm?: (question: { name: string; args: unknown; risk: ToolRisk; message: string }) => Promise<boolean>;
}

// ───────────────────────────── workspace ─────────────────────────────

export type * from './workspace.ts';
import type { WorkspaceApi } from './workspace.ts';

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
  /**
   * The caller of a request, from its `Authorization` header, exactly as routes authenticate (every token kind the
   * host accepts); `undefined` when absent or invalid. For public routes that answer auth failures in their own shape.
   */
  authenticate(ctx: KoaContext): Promise<User | undefined>;
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

export type * from './conversations.ts';
import type { UserConversationsApi } from './conversations.ts';

/** Server-sent events in the two dialects of `events.md`. */
export interface SseApi {
  /** Run `start` and stream its events to the client; failures before the first event answer as JSON. */
  streamAgent(ctx: KoaContext, dialect: 'aion' | 'alin' | 'alin-coding', start: (signal: AbortSignal) => AsyncIterable<AgentEvent>): Promise<void>;
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
  /** `address`: the client's address, for the per-address signup limit. */
  signup(input: { email: string; password: string; displayName?: string }, address?: string): Promise<{ user: User; token: string }>;
  login(input: { email: string; password: string }, address: string): Promise<{ user: User; token: string }>;
  updateProfile(userId: string, patch: { displayName?: string; email?: string }): Promise<User>;
  changePassword(userId: string, oldPassword: string, newPassword: string): Promise<void>;
  /** Revoke every token of the user (token version + 1) and return a token of the new version (logout, refresh). */
  rotateTokens(userId: string): Promise<{ user: User; token: string }>;
  list(): Promise<User[]>;
  adminUpdate(userId: string, patch: { plan?: Plan; role?: Role }): Promise<User>;
  /** Usage for `/api/auth/me`. */
  usage(user: User): Promise<{ messagesThisHour: number; messagesLimit: number | null; messagesRemaining: number | null; tokensToday: number; tokensByDay: Record<string, number> }>;
  /** The limits of the user's plan. */
  limits(user: User): { messagesPerHour: number | null; toolCallsPerMessage: number | null; tbwo: boolean; maxTokens: number; thinkingBudget: number };
  /** Personal API keys (`aion_…`), accepted as bearer tokens like a JWT; only their hash is stored. */
  apiKeys: {
    /** The key's secret is in `key`, returned this once. */
    create(userId: string, name: string): Promise<{ key: string; apiKey: ApiKeyInfo }>;
    list(userId: string): Promise<ApiKeyInfo[]>;
    /** 404 `API_KEY_NOT_FOUND` unless the key is the user's. */
    revoke(userId: string, id: string): Promise<void>;
  };
}

/** What is shown of a personal API key: never the key itself. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  /** The first characters of the key (`aion_` + 7), to recognise it. */
  prefix: string;
  createdAt: number;
  /** Last time it authenticated a request (ms), or `null`; updated within a minute of use. */
  lastUsedAt: number | null;
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
  /** What its plugin.json declared (see `plugin.schema.json`). */
  capabilities?: {
    secrets: string[];
    host: string[];
    network: boolean;
    exec: boolean;
    services: { provide: string[]; use: string[] };
  };
  /** The build error's location, when the last build failed. */
  errorLocation?: { file: string; line: number; column: number; lineText: string };
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

// ───────────────────────────── services, timers ─────────────────────────────

/**
 * Named services handed from one plugin to another. The providing plugin declares
 * `"capabilities": { "services": { "provide": ["name"] } }`, the using one `"use": ["name"]`.
 */
export interface ServicesApi {
  /** Offer `impl` under `name` (removed when this generation unloads; calls into it count as in flight). */
  provide<T extends object>(name: string, impl: T): void;
  /** The current implementation of `name`, looked up at each call (so a reload of the provider is picked up). */
  use<T>(name: string): T | undefined;
}

/** The `google-credentials` service (provided by `google-oauth`, used by `provider-gemini`). */
export interface GoogleCredentialsService {
  /** A valid OAuth access token for the Gemini API, or `undefined` when no Google account is connected. */
  accessToken(): string | undefined;
  /** The Google Cloud project calls are billed to (`x-goog-user-project`). */
  project(): string | undefined;
}

/** Opaque timer handle of `ctx.timers`. */
export type TimerHandle = unknown;

/** Timers whose callbacks run counted on this generation and that are cleared when it unloads. */
export interface TimersApi {
  setTimeout(fn: () => unknown, ms: number): TimerHandle;
  setInterval(fn: () => unknown, ms: number): TimerHandle;
  clear(handle: TimerHandle | undefined): void;
}

// ───────────────────────────── the context ─────────────────────────────

/** Attach output media (speech) to finished AION turns: called with each done event before it is sent. */
export type DoneHook = (event: Extract<AgentEvent, { type: 'done' }>, info: { user: User; conversationId: string; channel: string }) => Promise<void> | void;

/** What `setup(ctx)` receives. Everything registered through it is removed when the plugin unloads. */
export interface PluginContext<S = Record<string, unknown>> {
  /** The plugin's name. */
  readonly name: string;
  readonly routes: PluginRoutes;
  /**
   * Tools of this plugin. Registered or removed after `setup` returned (tools discovered at run time, e.g. of MCP
   * servers), they take effect at once.
   */
  readonly tools: { register<A>(def: ToolDefinition<A>): void; unregister(name: string): boolean };
  readonly providers: { register(def: ProviderDefinition): void };
  readonly embedders: { register(def: EmbedderDefinition): void };
  readonly channels: { register(def: ChannelDefinition): void };
  /** Hooks into the agent loop. */
  readonly hooks: {
    /** Called after each tool call (success and duration) — the self-model records reliability with it. */
    onToolResult(fn: (info: { user: User; name: string; ok: boolean; durationMs: number; error?: string; model: string }) => void): void;
    /** Called before a finished AION turn's `done` is sent; may attach media. */
    onDone(fn: DoneHook): void;
  };
  /** Services shared between plugins (declared in plugin.json). */
  readonly services: ServicesApi;
  /** Timers tied to this generation. */
  readonly timers: TimersApi;
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
