/**
 * Counts events per key in a rolling window (login attempts per email and per address, chat messages per user).
 * Kept in memory; the chat counter is also persisted by the quota service.
 */
export class SlidingWindow {
  private hits = new Map<string, number[]>();
  constructor(readonly windowMs: number, readonly limit: number) {}

  private live(key: string, now: number): number[] {
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length) this.hits.set(key, list);
    else this.hits.delete(key);
    return list;
  }

  count(key: string, now = Date.now()): number {
    return this.live(key, now).length;
  }

  /** Milliseconds until the oldest hit leaves the window (0 when under the limit). */
  retryAfterMs(key: string, now = Date.now()): number {
    const list = this.live(key, now);
    if (list.length < this.limit) return 0;
    return list[list.length - this.limit] + this.windowMs - now;
  }

  add(key: string, now = Date.now()): void {
    const list = this.live(key, now);
    list.push(now);
    this.hits.set(key, list);
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  /** Timestamps in the window (for persistence). */
  snapshot(key: string, now = Date.now()): number[] {
    return [...this.live(key, now)];
  }

  restore(key: string, times: number[]): void {
    this.hits.set(key, [...times].sort((a, b) => a - b));
  }
}
