/**
 * The PostgreSQL driver's joined reads (`PartitionJoins` in `../driver.ts`): a user's parent document with the
 * partition keyed by its id, or every parent with a summary of its partition, each in one statement. A conversation
 * read is then one round trip instead of four, and a list ships counters instead of every message (the counters are
 * kept up to date by the writes, see migration 003). A partition read this way is kept in `cache` with its version,
 * and shipped again only when it changed (see partition-cache.ts).
 */
import type pg from 'pg';
import type { FencedGroups } from '../../cluster/fenced-groups.ts';
import type { PartitionJoins, PartitionSummary } from '../driver.ts';
import { deepFreeze } from '../freeze.ts';
import { checkKey, checkName } from '../names.ts';
import type { PartitionCache } from './partition-cache.ts';
import { SQL } from './sql.ts';

export interface JoinCaches {
  pool: pg.Pool;
  /** Partitions with their version: a read ships rows only when they changed. */
  partitions: PartitionCache;
  /** With the cluster's fence: whole joined reads, per owner, answered without asking while vouched for. */
  joined?: FencedGroups<unknown>;
}

type WithPartition<P, T> = { parent: Readonly<P>; items: ReadonlyArray<Readonly<T>> };

/** A list entry's weight, estimated: a conversation document with its counters. */
const SUMMARY_BYTES = 1_024;

/**
 * A conversation with its messages weighs its messages' JSON, as the partition cache measured it. Messages it did not
 * keep (too large for it) are not kept here either: infinitely heavy.
 */
function weighWithPartition(partitions: PartitionCache, cacheKey: string, items: ReadonlyArray<unknown>): number {
  const held = partitions.lookup(cacheKey);
  return held?.items === items ? held.bytes + SUMMARY_BYTES : Number.POSITIVE_INFINITY;
}

export function partitionJoins<T>(caches: JoinCaches, owner: string, partitioned: string): PartitionJoins<T> {
  const { pool, partitions, joined } = caches;
  /** Through the fenced cache when there is one (its group is the owner: any write of theirs drops it). */
  const cached = <V>(key: string, read: () => Promise<V | undefined>, weigh: (value: V) => number): Promise<V | undefined> =>
    joined ? (joined.load(owner, key, read, weigh as (value: unknown) => number) as Promise<V | undefined>) : read();
  return {
    parentWithPartition<P>(parent: string, key: string) {
      const cacheKey = `${partitioned}\u0000${owner}\u0000${checkKey(key)}`;
      return cached<WithPartition<P, T>>(`w\u0000${checkName(parent)}\u0000${cacheKey}`, async () => {
        const sent = partitions.lookup(cacheKey);
        const values = [parent, owner, partitioned, key, sent?.version ?? null];
        const [row] = (await pool.query({ ...SQL.parentWithPartition, values })).rows;
        if (!row) return undefined;
        // Freshly parsed rows belong to nobody else: frozen, they are snapshots without a copy.
        return Object.freeze({ parent: deepFreeze(row.doc as P), items: partitions.settle<T>(cacheKey, sent, row.version, row.items) });
      }, (value) => weighWithPartition(partitions, cacheKey, value.items));
    },
    async parentsWithSummaries<P>(parent: string, field: string): Promise<ReadonlyArray<PartitionSummary<P>>> {
      const summaries = await cached(`s\u0000${checkName(parent)}\u0000${partitioned}\u0000${field}`, async () => {
        const { rows } = await pool.query({ ...SQL.parentsWithSummaries, values: [parent, owner, partitioned, field] });
        return Object.freeze(rows.map((r) => Object.freeze({
          parent: deepFreeze(r.doc as P),
          count: r.n ?? 0,
          latestUpdatedAt: r.latest,
          lastField: (r.whole ? r.whole[field] : r.field) ?? undefined,
        } as PartitionSummary<P>)));
      }, (list) => list.length * SUMMARY_BYTES);
      return summaries as ReadonlyArray<PartitionSummary<P>>;
    },
  };
}
