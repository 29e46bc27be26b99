/**
 * Parked tool approvals (the original AION's flow, `events.md`): when a tool needs approval the turn ends with
 * `done { approval_pending: true }` and everything needed to continue it is parked here, in memory, per user and
 * conversation. The user's next message ("ja", "yes", …), `POST /api/chat/approve` or a Telegram button answers it and
 * the turn continues in a new stream. A parked turn expires after the approval timeout (= denied: fail closed); a
 * restart forgets it (the dangling tool call is then dropped from the model's history).
 */
import type { ChatMessage } from './events.ts';
import type { ToolResultBlock, ToolUseBlock } from './events.ts';

/** A turn that stopped to ask. */
export interface ParkedTurn {
  userId: string;
  conversationId: string;
  channel: string;
  provider: string;
  model: string;
  system: string;
  /** The model's view up to and including the assistant step that asked. */
  messages: ChatMessage[];
  /** Every tool call of that step, in the model's order. */
  calls: ToolUseBlock[];
  /** Results of the calls of that step that already ran. */
  results: Map<string, ToolResultBlock>;
  /** The calls waiting for the answer (one answer decides all of them). */
  pending: Array<{ id: string; name: string; args: Record<string, unknown>; message: string }>;
  parkedAt: number;
}

/** What a message means for a parked approval. */
export type ApprovalWord = 'yes' | 'no' | 'other';

const YES = new Set(['ja', 'yes', 'ok', 'y']);
const NO = new Set(['nein', 'no', 'n']);

/** "ja", "yes", "ok", "y" (any case, surrounding spaces and a final punctuation mark ignored) → yes; "nein", "no", "n" → no. */
export function approvalWord(message: string): ApprovalWord {
  const word = message.trim().replace(/[.!]+$/, '').trim().toLowerCase();
  if (YES.has(word)) return 'yes';
  if (NO.has(word)) return 'no';
  return 'other';
}

const key = (userId: string, conversationId: string) => `${userId}\u0000${conversationId}`;

export class Approvals {
  private parked = new Map<string, { turn: ParkedTurn; timer: NodeJS.Timeout }>();

  /** Park a turn; replaces an older parked turn of the same conversation. Expires after `timeoutMs`. */
  park(turn: ParkedTurn, timeoutMs: number): void {
    const k = key(turn.userId, turn.conversationId);
    this.drop(k);
    const timer = setTimeout(() => this.parked.delete(k), timeoutMs);
    timer.unref?.();
    this.parked.set(k, { turn, timer });
  }

  /** The parked turn of this conversation, if any. */
  forConversation(userId: string, conversationId: string): ParkedTurn | undefined {
    return this.parked.get(key(userId, conversationId))?.turn;
  }

  /** The caller's parked turn that holds call `id`; another user's id is simply not found. */
  byId(userId: string, id: string): ParkedTurn | undefined {
    for (const { turn } of this.parked.values()) {
      if (turn.userId === userId && turn.pending.some((p) => p.id === id)) return turn;
    }
    return undefined;
  }

  /** Remove a parked turn to answer it; false when it was already answered or expired (a second answer loses). */
  take(turn: ParkedTurn): boolean {
    const k = key(turn.userId, turn.conversationId);
    if (this.parked.get(k)?.turn !== turn) return false;
    this.drop(k);
    return true;
  }

  has(userId: string, id: string): boolean {
    return !!this.byId(userId, id);
  }

  private drop(k: string): void {
    const entry = this.parked.get(k);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.parked.delete(k);
  }
}
