/** The agent loop's options and what a turn produced (shared by the loop, its tool calls and the agent service). */
import type { ChatMessage, ContentBlock, ProviderDefinition, StopReason, User, Usage } from '../plugin-api/types.ts';
import type { ToolResultBlock, ToolUseBlock } from './events.ts';
import type { RegisteredTool } from './tool-registry.ts';

export interface LoopOptions {
  user: User;
  conversationId: string;
  provider: ProviderDefinition;
  model: string;
  system: string;
  messages: ChatMessage[];
  /** Server-side tools; `undefined` = none. */
  tools: Map<string, RegisteredTool>;
  /** Client-side tools (ALIN): offered to the model, reported as tool calls, never run here. */
  clientTools?: Array<{ name: string; description: string; inputSchema: Record<string, unknown> }>;
  maxSteps: number;
  maxTokens: number;
  temperature?: number;
  thinkingBudget?: number;
  /** Tool calls allowed in this turn (plan limit); `null` = unlimited. */
  toolCallLimit: number | null;
  toolTimeoutMs: number;
  signal: AbortSignal;
  /** The user's permission for a tool (`/api/permissions`): deny refuses, ask always asks, allow/undefined = the tool's own rule. */
  permission?: (tool: RegisteredTool) => Promise<'allow' | 'ask' | 'deny' | undefined>;
  /** The check model's verdict on a final answer (setting `check_model`): true = it announced an action it never took. */
  check?: (answer: string) => Promise<boolean>;
  /** Continue a parked turn: run (or refuse) its waiting calls first, then go on with the model. */
  resume?: { calls: ToolUseBlock[]; results: Map<string, ToolResultBlock>; pendingIds: Set<string>; approved: boolean };
  /** Calls that will park are about to be announced (`approval` events): lets an early answer wait for the park. */
  announce?: (ids: string[]) => Promise<void>;
  onToolResult?: (info: { name: string; ok: boolean; durationMs: number; error?: string }) => void;
}

/** What the loop produced, for saving the turn. */
export interface TurnRecord {
  blocks: ContentBlock[];
  text: string;
  thinking: string;
  usage: Usage;
  stopReason: StopReason;
  toolCalls: Array<{ id: string; name: string; args: unknown; ok?: boolean; result?: unknown; durationMs?: number }>;
  error?: { code: string; message: string };
  /** Set when the turn stopped to ask for approval: what is needed to continue it. */
  parked?: { messages: ChatMessage[]; calls: ToolUseBlock[]; results: Map<string, ToolResultBlock>; pending: Array<{ id: string; name: string; args: Record<string, unknown>; message: string }> };
  /** Set once the turn has been written to the conversation. */
  saved?: boolean;
}

/** An empty record for a new turn. */
export function newTurnRecord(): TurnRecord {
  return { blocks: [], text: '', thinking: '', usage: { inputTokens: 0, outputTokens: 0 }, stopReason: 'end_turn', toolCalls: [] };
}

