/**
 * The SQL of memory writes, each run inside one transaction that began with `bumpVersion` (which locks the user's
 * version row, so a user's writes are serialised and their seq numbers follow commit order).
 */
import type pg from 'pg';
import type { MemoryEntry } from '../../plugin-api/types.ts';
import { ENTRY_COLUMNS, entryDoc, rowEntry, vectorBytes, type EntryRow } from './rows.ts';

/** Lock the user's version row (creating it) and return the new version: the seq of this transaction's rows. */
export async function bumpVersion(client: pg.PoolClient, userId: string): Promise<number> {
  const { rows } = await client.query<{ version: string }>(
    `INSERT INTO memory_users (user_id) VALUES ($1)
     ON CONFLICT (user_id) DO UPDATE SET version = memory_users.version + 1 RETURNING version`,
    [userId],
  );
  return Number(rows[0]!.version);
}

/**
 * Store an entry at `seq`. Replacing keeps the old `createdAt`; with `onlyIfAbsent`, an existing id stores nothing
 * and answers `null`.
 */
export async function putEntry(client: pg.PoolClient, entry: MemoryEntry, seq: number, onlyIfAbsent: boolean): Promise<MemoryEntry | null> {
  const params = [entry.userId, entry.id, seq, JSON.stringify(entryDoc(entry)), entry.embedder, entry.dims, entry.expiresAt];
  const onConflict = onlyIfAbsent
    ? 'DO NOTHING'
    : `DO UPDATE SET seq = EXCLUDED.seq, embedder = EXCLUDED.embedder, dims = EXCLUDED.dims, expires_at = EXCLUDED.expires_at,
         doc = jsonb_set(EXCLUDED.doc, '{createdAt}', memory_entries.doc->'createdAt')`;
  const { rows } = await client.query<EntryRow>(
    `INSERT INTO memory_entries (user_id, id, seq, doc, embedder, dims, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (user_id, id) ${onConflict} RETURNING ${ENTRY_COLUMNS}`,
    params,
  );
  if (rows.length === 0) return null;
  // Vectors by other embedders were made from the old content: they go.
  await client.query('DELETE FROM memory_vectors WHERE user_id = $1 AND id = $2 AND embedder IS DISTINCT FROM $3', [entry.userId, entry.id, entry.embedder]);
  return rowEntry(rows[0]!);
}

export async function putVector(client: pg.PoolClient, userId: string, id: string, embedder: string, vector: Float32Array): Promise<void> {
  await client.query(
    `INSERT INTO memory_vectors (user_id, id, embedder, dims, vector) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (user_id, id, embedder) DO UPDATE SET dims = EXCLUDED.dims, vector = EXCLUDED.vector`,
    [userId, id, embedder, vector.length, vectorBytes(vector)],
  );
}

/** Delete entries (their vectors go by cascade) and leave tombstones at `seq`; returns the ids deleted. */
export async function deleteEntries(client: pg.PoolClient, userId: string, seq: number, where: { id: string } | { expiredBy: number }): Promise<string[]> {
  const { rows } =
    'id' in where
      ? await client.query<{ id: string }>('DELETE FROM memory_entries WHERE user_id = $1 AND id = $2 RETURNING id', [userId, where.id])
      : await client.query<{ id: string }>(
          'DELETE FROM memory_entries WHERE user_id = $1 AND expires_at IS NOT NULL AND expires_at <= $2 RETURNING id',
          [userId, where.expiredBy],
        );
  const ids = rows.map((r) => r.id);
  if (ids.length > 0) {
    await client.query(
      `INSERT INTO memory_tombstones (user_id, id, seq) SELECT $1, unnest($2::text[]), $3
       ON CONFLICT (user_id, id) DO UPDATE SET seq = EXCLUDED.seq, deleted_at = now()`,
      [userId, ids, seq],
    );
  }
  return ids;
}

/** Delete all of a user's entries; instances behind reload the user (cleared_at = seq). */
export async function clearUser(client: pg.PoolClient, userId: string, seq: number): Promise<number> {
  const { rowCount } = await client.query('DELETE FROM memory_entries WHERE user_id = $1', [userId]);
  await client.query('DELETE FROM memory_tombstones WHERE user_id = $1', [userId]);
  await client.query('UPDATE memory_users SET cleared_at = $2 WHERE user_id = $1', [userId, seq]);
  return rowCount ?? 0;
}

/** Thrown inside a transaction to roll it back when it changed nothing (no version is spent). */
export class NothingChanged extends Error {}
