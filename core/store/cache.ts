/**
 * The bound on loaded store files: every loaded collection is listed here, least recently used first, with the size
 * of its JSON. When the total passes the budget the oldest collections that are clean (nothing dirty, no write
 * queued or on its way) and not pinned give their documents back; they stay usable and read their file again on the
 * next access. Without it, every file ever opened stayed in memory for the life of the process.
 */

/** What the cache needs of a collection. */
export interface Cacheable {
  /** Bytes this collection's documents take (its JSON length plus a fixed overhead). */
  cacheCost(): number;
  /** True when dropping the documents now loses nothing and breaks no operation in progress. */
  evictable(): boolean;
  /** Drop the documents; the next access reads the file again. */
  unload(): void;
}

export interface CacheStats {
  /** Collections whose documents are in memory. */
  partitions: number;
  /** Their estimated size. */
  bytes: number;
  budgetBytes: number;
  /** Collections unloaded since start. */
  evictions: number;
}

export class CollectionCache {
  private readonly entries = new Map<Cacheable, number>();
  private total = 0;
  private evictions = 0;

  constructor(private readonly budgetBytes: number) {}

  /** Mark `c` most recently used (and loaded); re-reads its cost and trims the cache. */
  touch(c: Cacheable): void {
    const before = this.entries.get(c);
    const cost = c.cacheCost();
    if (before !== undefined) {
      this.entries.delete(c);
      this.total -= before;
    }
    this.entries.set(c, cost);
    this.total += cost;
    if (this.total > this.budgetBytes) this.trim(c);
  }

  /** `c` is no longer loaded (dropped). */
  forget(c: Cacheable): void {
    const cost = this.entries.get(c);
    if (cost === undefined) return;
    this.entries.delete(c);
    this.total -= cost;
  }

  /** Unload the least recently used evictable collections until the total fits, never `keep` (the one in use). */
  private trim(keep: Cacheable): void {
    for (const [c, cost] of this.entries) {
      if (this.total <= this.budgetBytes) return;
      if (c === keep || !c.evictable()) continue;
      this.entries.delete(c);
      this.total -= cost;
      this.evictions++;
      c.unload();
    }
  }

  stats(): CacheStats {
    return { partitions: this.entries.size, bytes: this.total, budgetBytes: this.budgetBytes, evictions: this.evictions };
  }
}
