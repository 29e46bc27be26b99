/**
 * The start-up checks on PostgreSQL, the counterpart of the file driver's damage checks: the store's table must be
 * there (a database restored without it would otherwise start as a fresh install, where the first signup becomes the
 * admin), and every row of a collection declared critical (the accounts) must be a document of the shape the
 * collection stores. A damaged critical collection refuses start with a message that names the rows to repair.
 */
import type pg from 'pg';
import { checkShape, StartupRefusedError } from '../damage.ts';
import { SQL } from './sql.ts';

export async function findCriticalDamage(
  pool: pg.Pool,
  location: string,
  critical: Map<string, ((doc: unknown) => boolean) | undefined>,
  labels: Record<string, string>,
): Promise<StartupRefusedError | undefined> {
  const { rows } = await pool.query(SQL.tablePresent);
  if (!rows[0].present) {
    return new StartupRefusedError(
      [
        `AION refuses to start: the table store_documents is missing from ${location}, although its migration is recorded in aion_migrations.`,
        'Starting would create an empty store, where the next signup becomes the admin, so the server stops instead.',
        'To restore: stop AION and restore the table from your backup (pg_restore -t store_documents), or point DATABASE_URL at an empty database.',
      ].join('\n'),
    );
  }
  for (const [name, isValid] of critical) {
    const docs = (await pool.query({ ...SQL.globalRows, values: [name] })).rows;
    const problems = checkShape({ items: docs.map((r) => r.doc) }, isValid).problems;
    docs.forEach((r, i) => {
      if (r.doc && typeof r.doc === 'object' && r.doc.id !== r.id) problems.push(`row "${String(r.id).slice(0, 64)}" holds a document with id ${JSON.stringify(r.doc.id)?.slice(0, 64)} (item ${i})`);
    });
    if (!problems.length) continue;
    const label = labels[name] ?? `"${name}" collection`;
    return new StartupRefusedError(
      [
        `AION refuses to start: the ${label} in ${location} are damaged (${problems.slice(0, 3).join('; ')}).`,
        'Starting on them could hand out accounts or roles, so the server stops instead.',
        `Items are counted in insertion order of: SELECT id, doc FROM store_documents WHERE collection = '${name}' AND owner = '' ORDER BY seq;`,
        'To restore: stop AION, then repair those rows (each doc a JSON object whose "id" is the row id) or restore them from your backup.',
      ].join('\n'),
    );
  }
  return undefined;
}
