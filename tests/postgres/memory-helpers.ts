/** Memory on PostgreSQL, in process: stores on a fresh test database (each its own pool, like separate instances). */
import pg from 'pg';
import { openPool } from '../../core/db/pool.ts';
import { PgMemoryStore, type PgMemoryOptions } from '../../core/memory/postgres/store.ts';
import { silentLog } from '../memory/helpers.ts';
import { createTestDatabase } from '../helpers/pg.ts';

export interface PgMemoryFixture {
  url: string;
  /** A loaded store on its own pool ("an instance"). */
  open(extra?: Partial<PgMemoryOptions>): Promise<PgMemoryStore>;
  /** A plain pool on the database (inspecting rows). */
  pool: pg.Pool;
  dispose(): Promise<void>;
}

export async function pgMemory(): Promise<PgMemoryFixture> {
  const db = await createTestDatabase();
  const opened: Array<{ store: PgMemoryStore; pool: pg.Pool }> = [];
  const pool = openPool(db.url);
  return {
    url: db.url,
    pool,
    async open(extra = {}) {
      const own = openPool(db.url, { max: 4 });
      const store = new PgMemoryStore({ pool: own, log: silentLog, ...extra });
      await store.load();
      opened.push({ store, pool: own });
      return store;
    },
    async dispose() {
      for (const o of opened) {
        await o.store.close();
        await o.pool.end();
      }
      await pool.end();
      await db.drop();
    },
  };
}
