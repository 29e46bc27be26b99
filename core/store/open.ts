/**
 * Choose the store driver at start: PostgreSQL when `DATABASE_URL` is set (the pool is opened and the SQL migrations
 * applied first, `DATABASE_POOL_MAX` connections at most, default 10), else the lowdb files under `DATA_DIR/store/`.
 */
import type { Logger } from 'pino';
import { migrate } from '../db/migrate.ts';
import { openPool } from '../db/pool.ts';
import type { DocumentStore } from './driver.ts';
import { PgStore } from './postgres/store.ts';
import { FileStore } from './store.ts';

export interface OpenStoreOptions {
  dataDir: string;
  cacheBytes?: number;
  /** Defaults to the environment's `DATABASE_URL`. */
  databaseUrl?: string;
  poolMax?: number;
}

export async function openStore(log: Logger, options: OpenStoreOptions): Promise<DocumentStore> {
  const url = options.databaseUrl ?? process.env.DATABASE_URL;
  if (!url) return new FileStore(options.dataDir, log, { cacheBytes: options.cacheBytes });
  const poolMax = options.poolMax ?? (Number(process.env.DATABASE_POOL_MAX) > 0 ? Math.floor(Number(process.env.DATABASE_POOL_MAX)) : 10);
  const pool = openPool(url, { max: poolMax });
  try {
    const applied = await migrate(pool);
    if (applied.length) log.info({ applied }, 'database migrations applied');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new Error(`cannot open the database of DATABASE_URL (${redact(url)}): ${(error as Error).message}`);
  }
  return new PgStore(pool, `PostgreSQL database ${redact(url)}`, log, { cacheBytes: options.cacheBytes });
}

/** The URL without its password (it goes into logs and operator messages). */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgresql://…';
  }
}
