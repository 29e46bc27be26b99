/**
 * The PostgreSQL driver's joined reads (`PartitionJoins` in `../driver.ts`): a user's parent document with the
 * partition keyed by its id, or every parent with a summary of its partition, each in one statement. A conversation
 * read is then one round trip instead of four, and a list ships counters instead of every message. A partition read
 * this way is kept in `cache` with its version, and shipped again only when it changed (see partition-cache.ts).
 */
import type pg from 'pg';
import type { PartitionJoins, PartitionSummary } from '../driver.ts';
import { deepFreeze } from '../freeze.ts';
import { checkKey, checkName } from '../names.ts';
import type { PartitionCache } from './partition-cache.ts';
import type { HeldSummary, SummaryCache } from './summary-cache.ts';
import { SQL } from './sql.ts';

/** What an instance keeps between joined reads (both checked against the database's versions on every read). */
export interface JoinCaches {
  partitions: PartitionCache;
  summaries: SummaryCache;
}

export function partitionJoins<T>(pool: pg.Pool, caches: JoinCaches, owner: string, partitioned: string): PartitionJoins<T> {
  const { partitions: cache, summaries } = caches;
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
      const group = `${partitioned}\u0000${owner}\u0000${field}`;
      const held = summaries.group(group);
      const values = [checkName(parent), owner, partitioned, field, [...held.keys()], [...held.values()].map((h) => h.version)];
      const { rows } = await pool.query({ ...SQL.parentsWithSummaries, values });
      const next = new Map<string, HeldSummary>();
      const out = rows.map((r): PartitionSummary<P> => {
        const doc = deepFreeze(r.doc as P & { id: string });
        // `held`: the database found our summary at the current version (so `held` has it, whatever happened since).
        const summary = r.held ? held.get(doc.id)! : { version: r.version, count: r.n, latestUpdatedAt: r.latest, lastField: r.field ?? undefined };
        if (r.version !== null) next.set(doc.id, { ...summary, version: r.version });
        return { parent: doc, count: summary.count, latestUpdatedAt: summary.latestUpdatedAt, lastField: summary.lastField };
      });
      summaries.replace(group, next);
      return out;
    },
  };
}
