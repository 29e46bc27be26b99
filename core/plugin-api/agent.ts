/** The agent contract: running a turn of the agent loop, server-side SSE, and direct tool calls. */
import type { AgentEvent, ChatMessage, JsonSchema, User } from './common.ts';
import type { ToolRisk } from './tools.ts';

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
  /**
   * Answer a parked approval (the turn continues in the background); false when the id is unknown, expired, already
   * answered (on any instance) or another user's.
   */
  approve(user: User, id: string, approved: boolean): Promise<boolean>;
  /** True while the user's tool call `id` is parked, waiting for an answer. */
  isPending(userId: string, id: string): boolean;
  /** The user's tool calls parked for an answer, of one conversation or (without it) of all of theirs. */
  pendingApprovals(userId: string, conversationId?: string): PendingApproval[];
  /** Cancel the user's running turns (every instance is told); returns how many ran on this instance. */
  stop(userId: string): number;
  /**
   * Cancel the user's running turns on every instance; resolves with how many were stopped in all. On one instance that
   * is `stop`; in a cluster the other instances' counts are gathered for a short window (0.3 s).
   */
  stopEverywhere(userId: string): Promise<number>;
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

/** A tool call waiting for the user's yes or no: what the `approval` event carried, and where. */
export interface PendingApproval {
  conversationId: string;
  /** The tool call's id (what `approve` takes). */
  id: string;
  name: string;
  args: Record<string, unknown>;
  /** The question the user was asked. */
  message: string;
  /** When the turn stopped to ask (ms since the epoch). */
  parkedAt: number;
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
