/**
 * The one typed event model of the agent loop (`events.md`). SSE dialects, Telegram and Alexa are adapters over it.
 */

/** Why a turn ended. */
export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'aborted' | 'error';

/** Anthropic-shaped content blocks: the message format of the whole runtime. Providers map them to their wire format. */
export type TextBlock = { type: 'text'; text: string };
export type ImageBlock = {
  type: 'image';
  source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };
};
export type ThinkingBlock = { type: 'thinking'; thinking: string; signature?: string };
export type ToolUseBlock = { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };
export type ToolResultBlock = {
  type: 'tool_result';
  tool_use_id: string;
  content: string | Array<TextBlock | ImageBlock>;
  is_error?: boolean;
};
export type ContentBlock = TextBlock | ImageBlock | ThinkingBlock | ToolUseBlock | ToolResultBlock;

/** One message of a conversation as the model sees it. */
export type ChatMessage = { role: 'user' | 'assistant'; content: string | ContentBlock[] };

/** Token counts of one model call or a whole turn. */
export type Usage = { inputTokens: number; outputTokens: number; cacheReadTokens?: number; reasoningTokens?: number };

/** Events of the agent loop. */
export type AgentEvent =
  | { type: 'start'; messageId: string; conversationId: string; provider: string; model: string }
  | { type: 'text'; delta: string }
  | { type: 'thinking_start' }
  | { type: 'thinking'; delta: string }
  | { type: 'thinking_end'; signature?: string }
  | { type: 'tool_call'; id: string; name: string; args: Record<string, unknown> }
  | { type: 'approval'; id: string; name: string; args: Record<string, unknown>; message: string }
  | { type: 'tool_result'; id: string; name: string; result: unknown; ok: boolean; durationMs: number }
  | { type: 'progress'; id: string; percent: number; label?: string }
  /** Something the user should know about the turn itself (e.g. `failover` to a `model_fallback` model). */
  | { type: 'notice'; trigger: string; text: string; /** The tool call that said it, when a tool did. */ callId?: string }
  | ({ type: 'usage' } & Usage)
  | {
      type: 'done';
      text: string;
      blocks: ContentBlock[];
      stopReason: StopReason;
      /** The turn stopped to ask for approval; it continues when the user answers (`approvals.ts`). */
      approvalPending?: boolean;
      /** Extra output media (speech) attached by plugins, e.g. `{ type: 'audio', url, format }`. */
      media?: Array<{
        type: 'audio' | 'image';
        url: string;
        format?: string;
        /** The file on this server, for channels that upload the media themselves (Telegram). Never sent to clients. */
        file?: string;
      }>;
    }
  | { type: 'error'; code: string; message: string };

/** Events a provider's `stream()` yields: the model's side of the loop. */
export type ProviderEvent =
  | { type: 'text'; delta: string }
  | { type: 'thinking_start' }
  | { type: 'thinking'; delta: string }
  | { type: 'thinking_end'; signature?: string }
  | { type: 'tool_call'; id: string; name: string; args: Record<string, unknown> }
  | ({ type: 'usage' } & Usage)
  | { type: 'stop'; reason: StopReason };
