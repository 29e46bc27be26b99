/** The auth contract: verifying callers, plan quotas, account management and API keys. */
import type { Context as KoaContext } from 'koa';
import type { AgentEvent, Plan, Role, User } from './common.ts';

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


/** Server-sent events in the two dialects of `events.md`. */
export interface SseApi {
  /**
   * Run `start` and stream its events to the client; failures before the first event answer as JSON. `signal` aborts
   * when the client goes away; `abort` aborts it from the run's side (a start that must stop its own run uses it
   * rather than a controller of its own chained to `signal`).
   */
  streamAgent(ctx: KoaContext, dialect: 'aion' | 'alin' | 'alin-coding', start: (signal: AbortSignal, abort: (reason: unknown) => void) => AsyncIterable<AgentEvent>): Promise<void>;
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
  adminUpdate(userId: string, patch: { plan?: Plan; role?: Role; disabled?: boolean }): Promise<User>;
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
