/**
 * Copying a files installation's memories (DATA_DIR/memory: every user's log and vector file) into PostgreSQL, with
 * their vectors, for `npm run store:to-postgres`. Each user is copied in one transaction; the copy refuses to run on
 * a database that already holds memories, and verifies entry and vector counts per user against what it read.
 * Reading goes through the files driver's own reader, so a torn last record is cut off as a normal start would.
 */
import path from 'node:path';
import type pg from 'pg';
import pino from 'pino';
import { migrate } from '../../db/migrate.ts';
import { inTransaction } from '../../db/pool.ts';
import type { MemoryEntry } from '../../plugin-api/types.ts';
import { listPartitions, UserPartition, type StoredVector } from '../persistence.ts';
import { entryDoc, vectorBytes } from './rows.ts';

const BATCH = 1000;
const SEQ = 1;

export async function copyMemoriesToPostgres(dataDir: string, pool: pg.Pool, log: (line: string) => void): Promise<{ users: number; entries: number }> {
  await migrate(pool);
  const existing = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM memory_entries')).rows[0]!.n;
  if (existing > 0) throw new Error(`the database already holds ${existing} memories; copy into an empty database`);
  const dir = path.join(dataDir, 'memory');
  const users = await listPartitions(dir);
  const quiet = pino({ level: 'warn' });
  let entries = 0;
  let vectors = 0;
  for (const userId of users) {
    const data = await new UserPartition(dir, userId, quiet).read();
    const rows = [...data.entries.values()];
    const copied = await inTransaction(pool, (client) => copyUser(client, userId, rows, data.vectors));
    await verify(pool, userId, rows.length, copied);
    entries += rows.length;
    vectors += copied;
  }
  // Fresh statistics: right after a bulk load the planner still takes the tables for empty and picks nested loops
  // over sequential scans (a first search of 10k entries took 50 s, reading vectors, before this).
  await pool.query('ANALYZE memory_entries, memory_vectors, memory_users');
  log(`memories: ${entries} entries with ${vectors} vectors of ${users.length} users copied and verified`);
  return { users: users.length, entries };
}

/** Insert one user's entries and vectors (those made by the entry's embedder, as the files driver uses them). */
async function copyUser(client: pg.PoolClient, userId: string, rows: MemoryEntry[], stored: Map<string, StoredVector>): Promise<number> {
  await client.query('INSERT INTO memory_users (user_id, version) VALUES ($1, $2)', [userId, SEQ]);
  let vectors = 0;
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH).map((e) => {
      const v = stored.get(e.id);
      const usable = v && e.embedder !== null && v.embedder === e.embedder && v.vector.length === e.dims ? v : undefined;
      // An entry without its vector is stored as not embedded, so background re-embedding picks it up.
      return { e: { ...e, userId, embedder: usable ? e.embedder : null, dims: usable ? e.dims : 0 }, v: usable };
    });
    await client.query(
      `INSERT INTO memory_entries (user_id, id, seq, doc, embedder, dims, expires_at)
       SELECT $1, id, $2, doc::jsonb, embedder, dims, expires_at FROM unnest($3::text[], $4::text[], $5::text[], $6::int[], $7::bigint[])
         AS t(id, doc, embedder, dims, expires_at)`,
      [userId, SEQ, batch.map((b) => b.e.id), batch.map((b) => JSON.stringify(entryDoc(b.e))), batch.map((b) => b.e.embedder),
        batch.map((b) => b.e.dims), batch.map((b) => b.e.expiresAt)],
    );
    const withVector = batch.filter((b) => b.v);
    if (withVector.length === 0) continue;
    await client.query(
      `INSERT INTO memory_vectors (user_id, id, embedder, dims, vector)
       SELECT $1, id, embedder, dims, vector FROM unnest($2::text[], $3::text[], $4::int[], $5::bytea[]) AS t(id, embedder, dims, vector)`,
      [userId, withVector.map((b) => b.e.id), withVector.map((b) => b.v!.embedder), withVector.map((b) => b.v!.vector.length),
        withVector.map((b) => vectorBytes(b.v!.vector))],
    );
    vectors += withVector.length;
  }
  return vectors;
}

async function verify(pool: pg.Pool, userId: string, entries: number, vectors: number): Promise<void> {
  const { rows } = await pool.query<{ e: number; v: number }>(
    `SELECT (SELECT count(*)::int FROM memory_entries WHERE user_id = $1) AS e, (SELECT count(*)::int FROM memory_vectors WHERE user_id = $1) AS v`,
    [userId],
  );
  const got = rows[0]!;
  if (got.e !== entries || got.v !== vectors) {
    throw new Error(`memory copy of user ${userId} does not verify: ${got.e}/${entries} entries, ${got.v}/${vectors} vectors`);
  }
}
