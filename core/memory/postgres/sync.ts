/**
 * Bringing a user's view up to date with the tables. The check before each search is one indexed primary-key read
 * (`memory_users`); only when the version moved (or the embedder changed) does it read what changed, in one
 * REPEATABLE READ snapshot so the version, entries, tombstones and vectors it reads agree. A view older than pruned
 * tombstones (prune.ts) reloads.
 */
import type pg from 'pg';
import type { VectorIndex } from '../vector-index.ts';
import { bytesVector, ENTRY_COLUMNS, rowEntry, type EntryRow } from './rows.ts';
import type { PgUserView } from './user-view.ts';

export interface SyncDeps {
  pool: pg.Pool;
  /** The current embedder's id (null: vectors are off). */
  embedderId(): string | null;
  /** The current embedder's vector size. */
  dims(): number;
  newVectorIndex(): VectorIndex | null;
}

interface VersionRow {
  version: string;
  cleared_at: string;
  pruned_through: string;
}

/** Check the version and catch up if behind; run inside `view.run` (PgUserView.fresh does). */
export async function catchUp(view: PgUserView, deps: SyncDeps): Promise<void> {
  const { rows } = await deps.pool.query<VersionRow>('SELECT version, cleared_at FROM memory_users WHERE user_id = $1', [view.userId]);
  const version = rows[0] ? Number(rows[0].version) : 0;
  const embedderId = deps.embedderId();
  if (version === view.version && view.vectorsFor === embedderId) return;
  await inSnapshot(deps.pool, async (client) => {
    const now = await client.query<VersionRow>('SELECT version, cleared_at, pruned_through FROM memory_users WHERE user_id = $1', [view.userId]);
    const current = now.rows[0] ? Number(now.rows[0].version) : 0;
    const clearedAt = now.rows[0] ? Number(now.rows[0].cleared_at) : 0;
    // Tombstones newer than this view were pruned: catching up would miss those deletes, so read everything again.
    const prunedThrough = now.rows[0] ? Number(now.rows[0].pruned_through) : 0;
    if (view.version < 0 || clearedAt > view.version || prunedThrough > view.version) await reload(client, view, deps, embedderId);
    else {
      if (view.vectorsFor !== embedderId) await reloadVectors(client, view, deps, embedderId);
      if (current > view.version) await applyChanges(client, view, deps, embedderId);
    }
    view.version = current;
    view.vectorsFor = embedderId;
  });
}

/** Everything again: first use, or the user was cleared since. The full-text index builds in chunks. */
async function reload(client: pg.PoolClient, view: PgUserView, deps: SyncDeps, embedderId: string | null): Promise<void> {
  const { rows } = await client.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM memory_entries WHERE user_id = $1`, [view.userId]);
  const vectors = await readVectors(client, view.userId, embedderId, deps, null);
  // Reads first, then the swap in one synchronous step: a search never sees a half-loaded view.
  view.reset(deps.newVectorIndex());
  for (const row of rows) view.entries.set(row.id, rowEntry(row));
  if (view.vectors) for (const [id, v] of vectors) view.vectors.set(id, v);
  void view.text.build([...view.entries.keys()], (id) => view.entries.get(id));
}

async function reloadVectors(client: pg.PoolClient, view: PgUserView, deps: SyncDeps, embedderId: string | null): Promise<void> {
  const vectors = await readVectors(client, view.userId, embedderId, deps, null);
  view.vectors?.close();
  view.vectors = deps.newVectorIndex();
  if (view.vectors) for (const [id, v] of vectors) view.vectors.set(id, v);
}

/**
 * The current embedder's vectors of the user's entries made by it: all of them, or (catch-up) those of the given
 * entry ids, read by primary key so a catch-up never scans the user's other vectors.
 */
async function readVectors(client: pg.PoolClient, userId: string, embedderId: string | null, deps: SyncDeps, ids: string[] | null): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  if (embedderId === null || (ids !== null && ids.length === 0)) return out;
  const { rows } = await client.query<{ id: string; vector: Buffer }>(
    `SELECT v.id, v.vector FROM memory_vectors v JOIN memory_entries e ON e.user_id = v.user_id AND e.id = v.id
     WHERE v.user_id = $1 AND v.embedder = $2 AND e.embedder = $2 AND v.dims = $3 ${ids === null ? '' : 'AND v.id = ANY($4::text[])'}`,
    ids === null ? [userId, embedderId, deps.dims()] : [userId, embedderId, deps.dims(), ids],
  );
  for (const row of rows) out.set(row.id, bytesVector(row.vector));
  return out;
}

/** Deletes, then puts (an id deleted and written again has a newer entry row than tombstone). */
async function applyChanges(client: pg.PoolClient, view: PgUserView, deps: SyncDeps, embedderId: string | null): Promise<void> {
  const since = view.version;
  const gone = await client.query<{ id: string }>('SELECT id FROM memory_tombstones WHERE user_id = $1 AND seq > $2', [view.userId, since]);
  const changed = await client.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM memory_entries WHERE user_id = $1 AND seq > $2`, [view.userId, since]);
  const vectors = await readVectors(client, view.userId, embedderId, deps, changed.rows.map((r) => r.id));
  for (const { id } of gone.rows) view.forget(id);
  for (const row of changed.rows) view.apply(rowEntry(row), vectors.get(row.id) ?? null);
}

async function inSnapshot<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
