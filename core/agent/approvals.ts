/**
 * Pending tool approvals. A tool that needs approval waits here until the same user answers through
 * `POST /api/chat/approve`, the turn is aborted, or the timeout passes (= denied: fail closed).
 */
interface Pending {
  userId: string;
  resolve: (approved: boolean) => void;
}

export class Approvals {
  private pending = new Map<string, Pending>();

  /** Wait for an answer to approval `id`. */
  wait(id: string, userId: string, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (approved: boolean) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.pending.delete(id);
        resolve(approved);
      };
      const onAbort = () => finish(false);
      const timer = setTimeout(() => finish(false), timeoutMs);
      timer.unref?.();
      if (signal.aborted) return finish(false);
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, { userId, resolve: finish });
    });
  }

  /** Answer; false when the id is unknown or belongs to another user. */
  answer(userId: string, id: string, approved: boolean): boolean {
    const p = this.pending.get(id);
    if (!p || p.userId !== userId) return false;
    p.resolve(approved);
    return true;
  }

  has(id: string): boolean {
    return this.pending.has(id);
  }
}
