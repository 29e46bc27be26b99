/**
 * Copy a lowdb store (`DATA_DIR/store/`) into an empty PostgreSQL store, as `npm run store:to-postgres` does.
 *
 * Every collection found on disk is copied — global (`store/<name>.json`), per user (`store/<name>/<user>.json`) and
 * partitioned (`store/<name>/<user>/<key>.jsonl`, messages and receipts) — read through the file driver itself, so the
 * documents are exactly what a server on those files would read. Everything is written in ONE transaction that holds
 * an exclusive lock on the table: the target must be empty when it starts, the counts per collection are verified
 * before COMMIT, and a failure leaves the database as it was.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Doc } from '../../plugin-api/types.ts';
import { COLLECTION_NAME } from '../names.ts';
import { FileStore } from '../store.ts';
import { updatedAtOf } from './sql.ts';

const KEY = /^[A-Za-z0-9_-]{1,128}$/;
const BATCH = 500;

/** Where documents go: `owner` '' = global, `part` '' = not partitioned. */
interface Slot {
  collection: string;
  owner: string;
  part: string;
}

export interface CopyReport {
  /** Documents copied per collection (as counted in the database after the copy). */
  collections: Record<string, { documents: number; users: number; partitions: number }>;
  total: number;
}

export class TargetNotEmptyError extends Error {
  constructor(readonly rows: number) {
    super(`the database already holds ${rows} store documents: store:to-postgres copies only into an empty database`);
    this.name = 'TargetNotEmptyError';
  }
}

/** Every collection, user and partition of the files under `root` (`DATA_DIR/store`), in a stable order. */
async function slotsOnDisk(store: FileStore, root: string): Promise<Slot[]> {
  const slots: Slot[] = [];
  const entries = (await readdir(root, { withFileTypes: true }).catch(() => [])).sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    if (e.isFile() && e.name.endsWith('.json') && COLLECTION_NAME.test(e.name.slice(0, -5))) {
      slots.push({ collection: e.name.slice(0, -5), owner: '', part: '' });
    } else if (e.isDirectory() && COLLECTION_NAME.test(e.name)) {
      for (const u of (await readdir(path.join(root, e.name), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
        if (u.isFile() && u.name.endsWith('.json') && KEY.test(u.name.slice(0, -5))) slots.push({ collection: e.name, owner: u.name.slice(0, -5), part: '' });
        else if (u.isDirectory() && KEY.test(u.name)) {
          for (const key of (await store.forUser(u.name).partitioned(e.name).keys()).sort()) {
            if (KEY.test(key)) slots.push({ collection: e.name, owner: u.name, part: key });
          }
        }
      }
    }
  }
  return slots;
}

function readSlot(store: FileStore, s: Slot): Promise<Doc[]> {
  if (!s.owner) return store.collection(s.collection).all();
  const user = store.forUser(s.owner);
  return s.part ? user.partitioned(s.collection).partition(s.part).all() : user.collection(s.collection).all();
}

async function insertRows(client: pg.PoolClient, s: Slot, docs: Doc[]): Promise<void> {
  for (let i = 0; i < docs.length; i += BATCH) {
    const batch = docs.slice(i, i + BATCH);
    await client.query(
      `INSERT INTO store_documents (collection, owner, part, id, updated_at, doc)
       SELECT $1, $2, $3, d.id, d.updated_at, d.doc FROM unnest($4::text[], $5::float8[], $6::json[]) WITH ORDINALITY AS d(id, updated_at, doc, n) ORDER BY d.n`,
      [s.collection, s.owner, s.part, batch.map((d) => d.id), batch.map((d) => updatedAtOf(d)), batch.map((d) => JSON.stringify(d))],
    );
  }
}

/**
 * Copy `dataDir`'s store into the database of `pool` (its migrations applied). Throws `TargetNotEmptyError` when the
 * table already holds documents, and an Error when the counts do not match (nothing is committed then).
 */
export async function copyFilesToPostgres(dataDir: string, pool: pg.Pool, log: Logger, progress: (line: string) => void = () => {}): Promise<CopyReport> {
  const files = new FileStore(dataDir, log, { cacheBytes: 16 * 1024 * 1024 });
  const slots = await slotsOnDisk(files, files.root);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Nobody writes while we copy, and a second copy started at the same time waits, then finds the table not empty.
    await client.query('LOCK TABLE store_documents IN EXCLUSIVE MODE');
    const existing = (await client.query('SELECT count(*)::int AS n FROM store_documents')).rows[0].n as number;
    if (existing > 0) throw new TargetNotEmptyError(existing);
    const expected = new Map<string, { documents: number; users: Set<string>; partitions: number }>();
    for (const s of slots) {
      const docs = await readSlot(files, s);
      await insertRows(client, s, docs);
      const e = expected.get(s.collection) ?? { documents: 0, users: new Set<string>(), partitions: 0 };
      e.documents += docs.length;
      if (s.owner) e.users.add(s.owner);
      if (s.part) e.partitions++;
      expected.set(s.collection, e);
      if (docs.length) progress(`  ${s.collection}${s.owner ? `/${s.owner}` : ''}${s.part ? `/${s.part}` : ''}: ${docs.length}`);
    }
    if (files.damages.length) throw new Error(`damaged store files were found (${files.damages.map((d) => d.file).join(', ')}): repair them and copy again`);
    const counted = new Map((await client.query('SELECT collection, count(*)::int AS n FROM store_documents GROUP BY collection')).rows.map((r) => [r.collection, r.n]));
    const report: CopyReport = { collections: {}, total: 0 };
    for (const [name, e] of expected) {
      const inDb = counted.get(name) ?? 0;
      if (inDb !== e.documents) throw new Error(`verification failed for "${name}": ${e.documents} documents read, ${inDb} in the database`);
      report.collections[name] = { documents: inDb, users: e.users.size, partitions: e.partitions };
      report.total += inDb;
    }
    await client.query('COMMIT');
    // Fresh statistics for the planner after the bulk load (it would take the table for empty until autovacuum runs).
    await client.query('ANALYZE store_documents, store_partition_versions');
    return report;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
