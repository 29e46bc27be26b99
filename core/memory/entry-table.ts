/**
 * One user's entries by id that also keep them in list order (newest first: `createdAt` descending, then id), so
 * listing the newest n costs n steps instead of a pass over every entry. The original AION's search lists the newest
 * 1,000 for its substring pass on every request: over 20,000 memories that pass was a quarter of the server's CPU
 * (issue #16's profile).
 *
 * The order is an array kept sorted on writes: a new memory (the newest) is appended, a replaced or deleted one is
 * found by binary search. Entries arriving out of order (loading an older log) only mark the array unsorted; it is
 * sorted once, when next needed.
 */
import type { MemoryEntry } from '../plugin-api/types.ts';

/** List order: newer first, ties by id (a total order: both drivers list alike). */
export function byNewest(a: MemoryEntry, b: MemoryEntry): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export class EntryTable extends Map<string, MemoryEntry> {
  /** Entries in reverse list order: the newest last (appending is the common write). */
  private order: MemoryEntry[] = [];
  private sorted = true;
  /** Entries with an expiry date (when none, the unfiltered total is the size). */
  private expiring = 0;

  override set(id: string, entry: MemoryEntry): this {
    const old = super.get(id);
    if (old) this.unlist(old);
    super.set(id, entry);
    if (entry.expiresAt !== null) this.expiring++;
    const last = this.order[this.order.length - 1];
    if (this.sorted && last !== undefined && byNewest(last, entry) <= 0) this.sorted = false;
    this.order.push(entry);
    return this;
  }

  override delete(id: string): boolean {
    const old = super.get(id);
    if (!old) return false;
    this.unlist(old);
    return super.delete(id);
  }

  override clear(): void {
    super.clear();
    this.order = [];
    this.sorted = true;
    this.expiring = 0;
  }

  /** Whether some entry has an expiry date. */
  get hasExpiring(): boolean {
    return this.expiring > 0;
  }

  /** Entries newest first. */
  *newestFirst(): Generator<MemoryEntry> {
    if (!this.sorted) this.sort();
    for (let i = this.order.length - 1; i >= 0; i--) yield this.order[i]!;
  }

  private unlist(entry: MemoryEntry): void {
    if (entry.expiresAt !== null) this.expiring--;
    if (!this.sorted) this.sort();
    // The first position whose entry is not newer than `entry` in list order: `entry` itself.
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (byNewest(this.order[mid]!, entry) > 0) lo = mid + 1;
      else hi = mid;
    }
    if (this.order[lo] === entry) this.order.splice(lo, 1);
    else this.order.splice(this.order.indexOf(entry), 1);
  }

  private sort(): void {
    this.order.sort((a, b) => byNewest(b, a));
    this.sorted = true;
  }
}
