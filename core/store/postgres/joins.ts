/**
 * The PostgreSQL driver's joined reads (`PartitionJoins` in `../driver.ts`): a user's parent document with the
 * partition keyed by its id, or every parent with a summary of its partition, each in one statement. A conversation
 * read is then one round trip instead of four, and a list ships counters instead of every message (the counters are
 * kept up to date by the writes, see migration 003). A partition read this way is kept in `cache` with its version,
 * and shipped again only when it changed (see partition-cache.ts).
 */
import type pg from 'pg';
import type { PartitionJoins, PartitionSummary } from '../driver.ts';
import { deepFreeze } from '../freeze.ts';
import { checkKey, checkName } from '../names.ts';
import type { PartitionCache } from './partition-cache.ts';
import { SQL } from './sql.ts';

export function partitionJoins<T>(pool: pg.Pool, cache: PartitionCache, owner: string, partitioned: string): PartitionJoins<T> {
  return {
    async parentWithPartition<P>(parent: string, key: string) {
      const cacheKey = `${partitioned}\u0000${owner}\u0000${checkKey(key)}`;
      const sent = cache.lookup(cacheKey);
      const values = [checkName(parent), owner, partitioned, key, sent?.version ?? null];
      const [row] = (await pool.query({ ...SQL.parentWithPartition, values })).rows;
      if (!row) return undefined;
      // Freshly parsed rows belong to nobody else: frozen, they are snapshots without a copy.
      return { parent: deepFreeze(row.doc as P), items: cache.settle<T>(cacheKey, sent, row.version, row.items) };
    },
    async parentsWithSummaries<P>(parent: string, field: string): Promise<PartitionSummary<P>[]> {
      const { rows } = await pool.query({ ...SQL.parentsWithSummaries, values: [checkName(parent), owner, partitioned, field] });
      return rows.map((r): PartitionSummary<P> => ({
        parent: deepFreeze(r.doc as P),
        count: r.n ?? 0,
        latestUpdatedAt: r.latest,
        lastField: r.field ?? undefined,
      }));
    },
  };
}
