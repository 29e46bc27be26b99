/**
 * Approvals announced but not parked yet. A turn's `approval` event reaches the client (and a client may answer it at
 * once) a moment before the turn is parked: the service parks after the loop has returned, and on another instance
 * the parked turn arrives only with the bus notice. An answer for an announced call of the same user waits here for
 * the park instead of being told "not found"; the wait ends when the turn parks or ends, and is bounded.
 */

/** How long an answer waits for an announced call to be parked (normally microseconds; a bus notice, milliseconds). */
export const ANNOUNCE_WAIT_MS = 10_000;

export const approvalKey = (userId: string, conversationId: string) => `${userId}\u0000${conversationId}`;

export interface Announced {
  userId: string;
  conversationId: string;
  ids: Set<string>;
  /** Announced by another instance (its parked turn comes through the shared store). */
  remote: boolean;
  /** Resolves when the turn parked, ended, or the wait bound passed. */
  settled: Promise<void>;
}

interface Entry extends Announced {
  resolve: () => void;
  timer: NodeJS.Timeout;
}

export class Announcements {
  private entries = new Map<string, Entry>();

  /** Calls `ids` of this user's turn in `conversationId` were announced; replaces an older announcement there. */
  add(userId: string, conversationId: string, ids: string[], remote: boolean): void {
    const k = approvalKey(userId, conversationId);
    this.settle(k);
    let resolve!: () => void;
    const settled = new Promise<void>((r) => (resolve = r));
    const timer = setTimeout(() => this.settle(k), ANNOUNCE_WAIT_MS);
    timer.unref?.();
    this.entries.set(k, { userId, conversationId, ids: new Set(ids), remote, settled, resolve, timer });
  }

  /** The turn of this key parked or ended: its waiting answers go on. */
  settle(k: string): void {
    const entry = this.entries.get(k);
    if (!entry) return;
    this.entries.delete(k);
    clearTimeout(entry.timer);
    entry.resolve();
  }

  /** The announcement holding call `id` of this user; another user's call is simply not found. */
  forCall(userId: string, id: string): Announced | undefined {
    for (const entry of this.entries.values()) if (entry.userId === userId && entry.ids.has(id)) return entry;
    return undefined;
  }

  forConversation(userId: string, conversationId: string): Announced | undefined {
    return this.entries.get(approvalKey(userId, conversationId));
  }
}
