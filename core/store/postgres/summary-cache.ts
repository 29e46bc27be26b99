/**
 * Partition summaries (count, greatest updatedAt, last item's field) kept by one instance with the partition version
 * they were computed at, grouped by (partitioned collection, owner). A list read sends the versions it holds; the
 * database recomputes only the summaries of partitions whose version moved, in the same statement that reads the
 * versions — so, as with `PartitionCache`, a write acknowledged by any instance is in every list read that starts
 * after it. Bounded by entries: past the bound, the least recently listed owner's summaries go.
 */
export interface HeldSummary {
  version: string;
  count: number;
  latestUpdatedAt: number | null;
  lastField: unknown;
}

export class SummaryCache {
  private readonly groups = new Map<string, Map<string, HeldSummary>>();
  private entries = 0;

  constructor(private readonly maxEntries = 50_000) {}

  /** The summaries held for one group (a copy of the map's reference: the caller only reads it). */
  group(group: string): ReadonlyMap<string, HeldSummary> {
    return this.groups.get(group) ?? new Map();
  }

  /** Replace a group's summaries with what the last list read saw (parts no longer listed are dropped with it). */
  replace(group: string, summaries: Map<string, HeldSummary>): void {
    this.entries -= this.groups.get(group)?.size ?? 0;
    this.groups.delete(group);
    this.groups.set(group, summaries);
    this.entries += summaries.size;
    for (const [oldest, held] of this.groups) {
      if (this.entries <= this.maxEntries || oldest === group) break;
      this.groups.delete(oldest);
      this.entries -= held.size;
    }
  }
}
