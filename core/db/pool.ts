/**
 * The PostgreSQL connection pool of one AION instance, opened when DATABASE_URL is set. Every driver (store, memory,
 * cluster bus) shares it, so one instance holds at most `DATABASE_POOL_MAX` connections (default 10) plus the one
 * LISTEN connection of the bus.
 */
import { createRequire } from 'node:module';
import type pg from 'pg';

/**
 * The pg package, loaded by the first pool or session rather than at import: a server on the file store never opens
 * one, and pg with its type parsers is ~25 ms and ~1.5 MB of heap at start (issue #16).
 */
export const pgModule = (): typeof pg => createRequire(import.meta.url)('pg') as typeof pg;

export type Pool = pg.Pool;

const noop = (): void => undefined;

export interface PoolOptions {
  max?: number;
  applicationName?: string;
}

export function openPool(url: string, options: PoolOptions = {}): pg.Pool {
  const pool = new (pgModule().Pool)({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'aion',
    idleTimeoutMillis: 30_000,
    // Named statements (the store's, see core/store/postgres/sql.ts) are planned once per connection. Left to choose,
    // PostgreSQL kept planning the list join for every execution (its custom plans looked cheaper): half the database's
    // CPU of a conversation list. Their generic plans are the key lookups they are meant to be. Unnamed statements (every
    // other query) are planned per execution whatever this says. Set in the pool's `onConnect` hook, which it awaits
    // before handing the client out (a 'connect' listener's query would overlap the first borrower's, which pg
    // deprecates). A server without the setting (before PostgreSQL 12) keeps its own choice.
    onConnect: (client: pg.ClientBase) => client.query('SET plan_cache_mode = force_generic_plan').then(noop, noop),
  });
  // An idle client losing its connection (server restart, network) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  return pool;
}

/** Runs `fn` in one transaction on one client: COMMIT when it resolves, ROLLBACK when it throws. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
