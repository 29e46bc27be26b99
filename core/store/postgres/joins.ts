/**
 * The PostgreSQL driver's joined reads (`PartitionJoins` in `../driver.ts`): a user's parent document with the
 * partition keyed by its id, or every parent with a summary of its partition, each in one statement. A conversation
 * read is then one round trip instead of four, and a list ships counters instead of every message.
 */
import type pg from 'pg';
import type { PartitionJoins, PartitionSummary } from '../driver.ts';
import { deepFreeze } from '../freeze.ts';
import { checkKey, checkName } from '../names.ts';
import { SQL } from './sql.ts';

export function partitionJoins<T>(pool: pg.Pool, owner: string, partitioned: string): PartitionJoins<T> {
  return {
    async parentWithPartition<P>(parent: string, key: string) {
      const values = [checkName(parent), owner, partitioned, checkKey(key)];
      const [row] = (await pool.query({ ...SQL.parentWithPartition, values })).rows;
      // Freshly parsed rows belong to nobody else: frozen, they are snapshots without a copy.
      return row ? { parent: deepFreeze(row.doc as P), items: deepFreeze(row.items as T[]) } : undefined;
    },
    async parentsWithSummaries<P>(parent: string, field: string): Promise<PartitionSummary<P>[]> {
      const { rows } = await pool.query({ ...SQL.parentsWithSummaries, values: [checkName(parent), owner, partitioned, field] });
      return rows.map((r) => ({ parent: deepFreeze(r.doc as P), count: r.n, latestUpdatedAt: r.latest, lastField: r.field ?? undefined }));
    },
  };
}
