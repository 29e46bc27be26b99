/** The context a plugin's `setup(ctx)` receives, and the plugin definition itself. */
import type { ZodType } from 'zod';
import type { Logger } from 'pino';
import type { AgentEvent, User } from './common.ts';
import type { PluginRoutes } from './routes.ts';
import type { ToolDefinition } from './tools.ts';
import type { EmbedderDefinition, ProviderDefinition } from './providers.ts';
import type { ChannelDefinition } from './channels.ts';
import type { PluginStore } from './store.ts';
import type { MemoryApi } from './memory.ts';
import type { AgentApi } from './agent.ts';
import type { WorkspaceApi } from './workspace.ts';
import type { UserConversationsApi } from './conversations.ts';
import type { AuthApi, SseApi } from './auth.ts';
import type { SecretsApi, SettingsApi } from './settings.ts';
import type { HostApi } from './host.ts';
import type { EventsApi } from './events.ts';
import type { ServicesApi, TimersApi } from './services.ts';
import type { ClusterApi } from './cluster.ts';

/** Attach output media (speech) to finished AION turns: called with each done event before it is sent. */
export type DoneHook = (event: Extract<AgentEvent, { type: 'done' }>, info: { user: User; conversationId: string; channel: string }) => Promise<void> | void;

/** Told when an AION turn ends in an error instead of `done` (the activity log records it). */
export type TurnErrorHook = (error: { code: string; message: string }, info: { user: User; conversationId: string; channel: string }) => void;

/** Text for the system prompt of one AION turn (a focus, recent reflections …); empty or nothing adds none. */
export type SystemContextHook = (info: { user: User; conversationId: string; message: string; channel: string }) => string | undefined | Promise<string | undefined>;

/** Extra fields of the caller's `GET /api/status` (e.g. `mood`). */
export type StatusFieldsHook = (user: User) => Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>;

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
    /** Called when an AION turn ends with an error event (no `done`). */
    onTurnError(fn: TurnErrorHook): void;
    /** Called while the system prompt of each AION turn is built; the returned text is appended (not saved). */
    systemContext(fn: SystemContextHook): void;
    /** Called by `GET /api/status` for a signed-in caller; the fields are merged into the answer. */
    statusFields(fn: StatusFieldsHook): void;
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
  /** Several instances as one service: leadership, run-once claims and messages between instances. */
  readonly cluster: ClusterApi;
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
