/**
 * Partitions (a conversation's messages) kept in memory by one instance, each with the version
 * (`store_partition_versions`) it was read at. A read sends the version it holds and the database ships the rows only
 * when the partition changed since — in the same statement that reads the version, so a write acknowledged by any
 * instance is seen by every read that starts after it. The cache only saves shipping and parsing unchanged rows; it
 * never answers without asking. Bounded by bytes (the JSON size), least recently used first out.
 */
import type { CacheStats } from '../driver.ts';
import { deepFreeze } from '../freeze.ts';

export interface HeldPartition {
  version: string;
  items: ReadonlyArray<unknown>;
  bytes: number;
}

export class PartitionCache {
  private readonly held = new Map<string, HeldPartition>();
  private bytes = 0;
  private evictions = 0;

  constructor(private readonly budgetBytes: number) {}

  /** What is held for `key`: send its version with the read, and hand it back to `settle`. */
  lookup(key: string): HeldPartition | undefined {
    return this.held.get(key);
  }

  /**
   * What the read answered: `json` (the rows as a JSON array) when the partition is not at the version of `sent`, null
   * when it is (the database compared them in the read's own snapshot, so `sent` is current even if another read has
   * replaced it here meanwhile). Returns the items, frozen (read-only snapshots shared by every reader here).
   */
  settle<T>(key: string, sent: HeldPartition | undefined, version: string | null, json: string | null): ReadonlyArray<Readonly<T>> {
    if (json === null && sent) {
      if (this.held.get(key) === sent) {
        this.held.delete(key); // re-insert: most recently used last
        this.held.set(key, sent);
      }
      return sent.items as ReadonlyArray<Readonly<T>>;
    }
    const items = deepFreeze(JSON.parse(json ?? '[]') as T[]);
    this.forget(key);
    if (version !== null && json !== null && json.length <= this.budgetBytes / 4) this.keep(key, { version, items, bytes: json.length });
    return items;
  }

  forget(key: string): void {
    const held = this.held.get(key);
    if (!held) return;
    this.held.delete(key);
    this.bytes -= held.bytes;
  }

  private keep(key: string, held: HeldPartition): void {
    this.held.set(key, held);
    this.bytes += held.bytes;
    for (const [oldest, h] of this.held) {
      if (this.bytes <= this.budgetBytes) break;
      this.held.delete(oldest);
      this.bytes -= h.bytes;
      this.evictions++;
    }
  }

  stats(): CacheStats {
    return { partitions: this.held.size, bytes: this.bytes, budgetBytes: this.budgetBytes, evictions: this.evictions };
  }
}
