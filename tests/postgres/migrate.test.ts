import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrate, migrationFiles } from '../../core/db/migrate.ts';
import { openPool } from '../../core/db/pool.ts';
import { createTestDatabase } from '../helpers/pg.ts';

test('migrations apply once, even when two instances start together', async () => {
  const db = await createTestDatabase();
  const a = openPool(db.url);
  const b = openPool(db.url);
  try {
    const [first, second] = await Promise.all([migrate(a), migrate(b)]);
    assert.deepEqual([...first, ...second].sort(), migrationFiles());
    assert.deepEqual(await migrate(a), []);
    const { rows } = await a.query('SELECT count(*)::int AS n FROM aion_migrations');
    assert.equal(rows[0].n, migrationFiles().length);
  } finally {
    await a.end();
    await b.end();
    await db.drop();
  }
});
