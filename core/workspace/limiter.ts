/**
 * Concurrency limits for code execution: each run holds a slot of its user and one of the server. Over capacity a
 * request waits (FIFO, bounded) and then gets 429 `TOO_MANY_EXECUTIONS` — code runs are heavy, and an agent loop
 * firing many at once must not starve everyone else.
 */
import { AppError } from '../errors.ts';

export interface ExecLimiterOptions {
  /** Concurrent runs per user (default 2). */
  perUser?: number;
  /** Concurrent runs in total (default 4). */
  global?: number;
  /** How long a request may wait for a slot before 429 (default 10 s). */
  maxWaitMs?: number;
  /** Waiting requests at most; beyond, 429 at once (default 100). */
  maxQueue?: number;
}

interface Waiter {
  userId: string;
  grant: (release: () => void) => void;
}

/** A per-user and global slot counter with a bounded FIFO wait. */
export class ExecLimiter {
  readonly perUser: number;
  readonly global: number;
  readonly maxWaitMs: number;
  readonly maxQueue: number;
  private running = 0;
  private readonly byUser = new Map<string, number>();
  private readonly queue: Waiter[] = [];

  constructor(opts: ExecLimiterOptions = {}) {
    this.perUser = opts.perUser ?? 2;
    this.global = opts.global ?? 4;
    this.maxWaitMs = opts.maxWaitMs ?? 10_000;
    this.maxQueue = opts.maxQueue ?? 100;
  }

  /** Current load, for metrics and tests. */
  stats(): { running: number; waiting: number; byUser: Record<string, number> } {
    return { running: this.running, waiting: this.queue.length, byUser: Object.fromEntries(this.byUser) };
  }

  private fits(userId: string): boolean {
    return this.running < this.global && (this.byUser.get(userId) ?? 0) < this.perUser;
  }

  private take(userId: string): () => void {
    this.running++;
    this.byUser.set(userId, (this.byUser.get(userId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return; // a double release must not free someone else's slot
      released = true;
      this.running--;
      const n = (this.byUser.get(userId) ?? 1) - 1;
      if (n > 0) this.byUser.set(userId, n);
      else this.byUser.delete(userId);
      this.pump();
    };
  }

  /** Hands freed slots to the earliest waiters that fit (a user at its own cap does not block others behind it). */
  private pump() {
    for (let i = 0; i < this.queue.length && this.running < this.global; ) {
      const w = this.queue[i];
      if (this.fits(w.userId)) {
        this.queue.splice(i, 1);
        w.grant(this.take(w.userId));
      } else i++;
    }
  }

  private busy(): AppError {
    const retry = Math.max(1, Math.ceil(this.maxWaitMs / 1000));
    return new AppError(
      429,
      'TOO_MANY_EXECUTIONS',
      'Too many code executions running; try again shortly',
      { perUser: this.perUser, global: this.global },
      { 'Retry-After': String(retry) },
    );
  }

  /** Waits for a slot; resolves to its release function (call it exactly once, in a finally). */
  acquire(userId: string): Promise<() => void> {
    if (!this.fits(userId) && this.queue.length >= this.maxQueue) return Promise.reject(this.busy());
    // Always through the queue: `pump` grants synchronously when a slot is free, and keeps FIFO order otherwise.
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        userId,
        grant: (release) => {
          clearTimeout(timer);
          resolve(release);
        },
      };
      const timer = setTimeout(() => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(this.busy());
      }, this.maxWaitMs);
      timer.unref?.();
      this.queue.push(waiter);
      this.pump();
    });
  }

  /** Runs `fn` holding a slot. */
  async run<T>(userId: string, fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire(userId);
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
