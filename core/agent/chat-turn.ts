/** One AION chat turn's state as the agent service carries it, and the messages it saves. */
import type { AgentRunRequest, ChatMessage, User } from '../plugin-api/types.ts';
import type { NewMessage } from '../conversations.ts';
import type { ParkedTurn } from './approvals.ts';
import type { TurnRecord } from './loop-types.ts';
import type { Attempt } from './turn-options.ts';

/** A running turn's own abort controller, linked to the caller's signal and listed for `stop()`. */
export interface RunningTurn {
  signal: AbortSignal;
  end(): void;
}

/** One chat turn of `run`, as decided before the model is called. */
export interface ChatTurn {
  req: AgentRunRequest;
  user: User;
  conversationId: string;
  channel: string;
  /** The parked approval this message answers, when it answers one. */
  answer?: { turn: ParkedTurn; approved: boolean };
  /** The models to try in order (the `model_fallback` chain); `used` is the one that ran last. */
  attempts: Attempt[];
  used: Attempt;
  /** What the model is sent: the history and the new message, or the parked turn's messages. */
  messages: ChatMessage[];
  /** Saved with the turn, before its answer: a refused approval's results, the user's message. */
  before: NewMessage[];
  /** The conversation is new: the save creates it. */
  isNew: boolean;
}

/** A parked call refused by another message: its results, as the assistant message that closes the parked step. */
export function refusalMessage(turn: ParkedTurn): NewMessage {
  const blocks = turn.calls.map((c) =>
    turn.results.get(c.id) ?? { type: 'tool_result' as const, tool_use_id: c.id, content: JSON.stringify({ error: `The user did not approve ${c.name}` }), is_error: true },
  );
  return { role: 'assistant', content: blocks, stopReason: 'tool_use', metadata: { channel: turn.channel, approval: 'refused' } };
}

/** The assistant message of a finished (or stopped, or failed) turn. */
export function assistantMessage(record: TurnRecord, turn: ChatTurn): NewMessage {
  const { inputTokens, outputTokens } = record.usage;
  return {
    role: 'assistant',
    content: record.blocks,
    model: turn.used.model,
    tokens: { input: inputTokens, output: outputTokens },
    tokensInput: inputTokens,
    tokensOutput: outputTokens,
    thinkingContent: record.thinking || undefined,
    stopReason: record.stopReason,
    metadata: { provider: turn.used.provider.id, channel: turn.channel, toolCalls: record.toolCalls, ...(record.error ? { error: record.error } : {}) },
  };
}
