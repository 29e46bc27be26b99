/**
 * Schema migrations as plain SQL files: `core/db/migrations/NNN-name.sql`, applied in name order, each in its own
 * transaction, recorded in `aion_migrations`. An advisory lock makes instances that start together apply each file
 * once. Files are never edited after they ship; a change is a new file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { inTransaction } from './pool.ts';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
/** Any fixed 64-bit key: the lock only has to be the same on every instance. */
const MIGRATION_LOCK = 7_000_001;

export function migrationFiles(dir = MIGRATIONS_DIR): string[] {
  return readdirSync(dir).filter((f) => /^\d{3}-[\w-]+\.sql$/.test(f)).sort();
}

/** Applies the files not yet recorded; returns the names it applied. */
export async function migrate(pool: pg.Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS aion_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM aion_migrations')).rows.map((r) => r.name));
    const applied: string[] = [];
    for (const file of migrationFiles(dir)) {
      if (done.has(file)) continue;
      await client.query(readFileSync(path.join(dir, file), 'utf8'));
      await client.query('INSERT INTO aion_migrations (name) VALUES ($1)', [file]);
      applied.push(file);
    }
    return applied;
  });
}
