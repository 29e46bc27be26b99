/**
 * Parked tool approvals (the original AION's flow, `events.md`): when a tool needs approval the turn ends with
 * `done { approval_pending: true }` and everything needed to continue it is parked here, in memory, per user and
 * conversation. The user's next message ("ja", "yes", …), `POST /api/chat/approve` or a Telegram button answers it and
 * the turn continues in a new stream. A parked turn expires after the approval timeout (= denied: fail closed); a
 * restart forgets it (the dangling tool call is then dropped from the model's history).
 *
 * With several instances on one database (`share`), parked turns are also kept durably (`ParkedTurnStore`, PostgreSQL)
 * and every instance mirrors them (bus notifications carry only the user and conversation), so any instance can answer
 * one, also after the instance that parked it died; `take` is then decided by the database, so exactly one wins.
 *
 * The `approval` event leaves a moment before its turn is parked (and reaches another instance later still): the calls
 * are announced first (`announce`, told to the other instances before the event goes out), and an answer for an
 * announced call of the same user waits, bounded, for the park (`announced-approvals.ts`).
 */
import type { PendingApproval } from '../plugin-api/types.ts';
import type { ChatMessage } from './events.ts';
import type { ToolResultBlock, ToolUseBlock } from './events.ts';
import { Announcements, approvalKey as key } from './announced-approvals.ts';

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

/** Where parked turns live when instances share them (see `core/cluster/pg-approvals.ts`). */
export interface ParkedTurnStore {
  save(turn: ParkedTurn, expiresAt: number): Promise<void>;
  /** Remove exactly this parked turn if it is still there and unexpired; true for the one caller that removed it. */
  take(turn: ParkedTurn, now: number): Promise<boolean>;
  get(userId: string, conversationId: string, now: number): Promise<{ turn: ParkedTurn; expiresAt: number } | undefined>;
  live(now: number): Promise<Array<{ turn: ParkedTurn; expiresAt: number }>>;
}

/** How parked turns are announced to the other instances (the cluster bus). */
export interface ApprovalsBus {
  publish(topic: string, payload: Record<string, unknown>): Promise<void>;
  subscribe(topic: string, handler: (payload: Record<string, unknown>, meta: { fromSelf: boolean }) => unknown): () => void;
}

const PARKED = 'approval.parked';
const TAKEN = 'approval.taken';
/** Calls announced to a client, about to be parked: another instance answering one waits for its parked turn. */
const ANNOUNCED = 'approval.announced';

export class Approvals {
  private parked = new Map<string, { turn: ParkedTurn; timer: NodeJS.Timeout }>();
  /** Turns taken by `claim` for an explicit answer that is about to continue them (`take` then hands them over). */
  private claimed = new Map<string, ParkedTurn>();
  private shared: ParkedTurnStore | undefined;
  private bus: ApprovalsBus | undefined;
  private readonly announced = new Announcements();

  /**
   * The turn's `approval` events for calls `ids` are about to go out: until the turn parks (or ends), an answer for one
   * of them waits for it. With other instances, they are told first (awaited), so the client cannot reach one that
   * has not heard of the calls.
   */
  announce(userId: string, conversationId: string, ids: string[]): Promise<void> {
    this.announced.add(userId, conversationId, ids, false);
    if (!this.bus) return Promise.resolve();
    return this.bus.publish(ANNOUNCED, { userId, conversationId, ids }).catch(() => undefined);
  }

  /** The turn of this conversation ended; an announcement it did not park is void. */
  settle(userId: string, conversationId: string): void {
    this.announced.settle(key(userId, conversationId));
  }

  /** True while call `id` of this user waits for an answer, parked or announced. */
  isPending(userId: string, id: string): boolean {
    return !!this.byId(userId, id) || !!this.announced.forCall(userId, id);
  }

  /**
   * The caller's parked turn that holds call `id`, waiting (bounded) when the call was announced and not parked yet.
   * Unknown ids and other users' ids are not found at once.
   */
  async whenParked(userId: string, id: string): Promise<ParkedTurn | undefined> {
    const parked = this.byId(userId, id);
    if (parked) return parked;
    const announced = this.announced.forCall(userId, id);
    if (!announced) return undefined;
    await announced.settled;
    // Another instance's park may have come without its notice reaching this one: the shared store has the last word.
    if (announced.remote && !this.byId(userId, id)) await this.fetch(userId, announced.conversationId).catch(() => undefined);
    return this.byId(userId, id);
  }

  /** Wait (bounded) for a turn of this conversation whose calls were announced and not parked yet; undefined if none. */
  settledIn(userId: string, conversationId: string): Promise<void> | undefined {
    return this.announced.forConversation(userId, conversationId)?.settled;
  }

  /** Park a turn; replaces an older parked turn of the same conversation. Expires after `timeoutMs`. */
  park(turn: ParkedTurn, timeoutMs: number): Promise<void> {
    this.mirror(turn, Date.now() + timeoutMs);
    const { shared, bus } = this;
    if (!shared || !bus) return Promise.resolve();
    // Durable before the turn's `done` goes out (the service awaits this), so any instance can answer it.
    return shared.save(turn, Date.now() + timeoutMs).then(() => bus.publish(PARKED, { userId: turn.userId, conversationId: turn.conversationId }));
  }

  /** Share parked turns with the other instances: load the live ones, then follow the bus. */
  async share(store: ParkedTurnStore, bus: ApprovalsBus): Promise<void> {
    this.shared = store;
    this.bus = bus;
    bus.subscribe(PARKED, (p, meta) => (meta.fromSelf ? undefined : this.fetch(String(p.userId), String(p.conversationId))));
    bus.subscribe(TAKEN, (p, meta) => (meta.fromSelf ? undefined : this.drop(key(String(p.userId), String(p.conversationId)))));
    bus.subscribe(ANNOUNCED, (p, meta) => (meta.fromSelf ? undefined : this.heard(p)));
    await this.resync();
  }

  /** Mirror every live parked turn again (at start, and after the bus reconnected: notices may have been missed). */
  async resync(): Promise<void> {
    if (!this.shared) return;
    const live = await this.shared.live(Date.now());
    for (const k of [...this.parked.keys()]) this.drop(k);
    for (const { turn, expiresAt } of live) this.mirror(turn, expiresAt);
  }

  /** Another instance announced calls; unless their parked turn is here already, answers for them wait for it. */
  private heard(p: Record<string, unknown>): void {
    const userId = String(p.userId);
    const conversationId = String(p.conversationId);
    const ids = Array.isArray(p.ids) ? p.ids.map(String) : [];
    const here = this.forConversation(userId, conversationId);
    if (!ids.length || (here && ids.every((id) => here.pending.some((c) => c.id === id)))) return;
    this.announced.add(userId, conversationId, ids, true);
  }

  private async fetch(userId: string, conversationId: string): Promise<void> {
    const found = await this.shared?.get(userId, conversationId, Date.now());
    if (found) this.mirror(found.turn, found.expiresAt);
  }

  private mirror(turn: ParkedTurn, expiresAt: number): void {
    const k = key(turn.userId, turn.conversationId);
    this.drop(k);
    const timer = setTimeout(() => this.parked.delete(k), Math.max(0, expiresAt - Date.now()));
    timer.unref?.();
    this.parked.set(k, { turn, timer });
    this.announced.settle(k);
  }

  /** The parked turn of this conversation, if any. */
  forConversation(userId: string, conversationId: string): ParkedTurn | undefined {
    return this.parked.get(key(userId, conversationId))?.turn;
  }

  /**
   * The user's tool calls waiting for an answer — of one conversation, or of all — as the `approval` event announced
   * them (so a client that reopens the conversation can ask again). A turn being answered right now is not listed.
   */
  pendingFor(userId: string, conversationId?: string): PendingApproval[] {
    const turns = conversationId === undefined
      ? [...this.parked.values()].map((e) => e.turn).filter((turn) => turn.userId === userId)
      : [this.forConversation(userId, conversationId)].filter((turn) => turn !== undefined);
    return turns.flatMap((turn) => turn.pending.map((p) => ({ conversationId: turn.conversationId, id: p.id, name: p.name, args: p.args, message: p.message, parkedAt: turn.parkedAt })));
  }

  /** The caller's parked turn that holds call `id`; another user's id is simply not found. */
  byId(userId: string, id: string): ParkedTurn | undefined {
    for (const turn of [...[...this.parked.values()].map((e) => e.turn), ...this.claimed.values()]) {
      if (turn.userId === userId && turn.pending.some((p) => p.id === id)) return turn;
    }
    return undefined;
  }

  /**
   * Take a parked turn now for an explicit answer that continues it right after (`POST /api/chat/approve`), so the
   * answer's caller learns at once whether it won: false when it was answered already (on any instance) or expired.
   */
  async claim(turn: ParkedTurn): Promise<boolean> {
    if (!(await this.take(turn))) return false;
    const k = key(turn.userId, turn.conversationId);
    this.claimed.set(k, turn);
    const timer = setTimeout(() => this.claimed.get(k) === turn && this.claimed.delete(k), 60_000);
    timer.unref?.();
    return true;
  }

  /** Remove a parked turn to answer it; false when it was already answered or expired (a second answer loses). */
  async take(turn: ParkedTurn): Promise<boolean> {
    const k = key(turn.userId, turn.conversationId);
    if (this.claimed.get(k) === turn) {
      this.claimed.delete(k);
      return true;
    }
    if (this.parked.get(k)?.turn !== turn) return false;
    this.drop(k);
    const { shared, bus } = this;
    if (!shared || !bus) return true;
    if (!(await shared.take(turn, Date.now()))) return false; // another instance answered first, or it expired
    await bus.publish(TAKEN, { userId: turn.userId, conversationId: turn.conversationId }).catch(() => undefined);
    return true;
  }

  private drop(k: string): void {
    const entry = this.parked.get(k);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.parked.delete(k);
  }
}
