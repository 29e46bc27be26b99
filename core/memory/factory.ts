/**
 * Picks the memory driver: PostgreSQL when a database URL is given (DATABASE_URL), the files in DATA_DIR/memory
 * otherwise. Given the instance's shared pool it uses that; else it opens its own and ends it on `close()`.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { openPool } from '../db/pool.ts';
import { MemoryStore } from './index.ts';
import { PgMemoryStore } from './postgres/store.ts';
import type { MemoryService } from './service.ts';

export interface MemoryServiceOptions {
  dataDir: string;
  log: Logger;
  annThreshold?: number;
  databaseUrl?: string;
  pool?: pg.Pool;
}

/** A loaded memory service. */
export async function openMemoryService(opts: MemoryServiceOptions): Promise<MemoryService> {
  if (!opts.pool && !opts.databaseUrl) {
    const memory = new MemoryStore({ dataDir: opts.dataDir, log: opts.log, annThreshold: opts.annThreshold });
    await memory.load();
    return memory;
  }
  const pool = opts.pool ?? openPool(opts.databaseUrl!, { applicationName: 'aion-memory' });
  const memory = new PgMemoryStore({ pool, log: opts.log, annThreshold: opts.annThreshold });
  try {
    await memory.load();
  } catch (error) {
    if (!opts.pool) await pool.end();
    throw error;
  }
  if (opts.pool) return memory;
  const close = memory.close.bind(memory);
  memory.close = async () => {
    await close();
    await pool.end();
  };
  return memory;
}
