// Moving an installation: a files DATA_DIR's memories, with their vectors, copied into PostgreSQL; the PostgreSQL
// driver then answers exactly as the files driver did; a second copy onto the now non-empty database refuses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyMemoriesToPostgres } from '../../core/memory/postgres/copy.ts';
import { openStore, tempDir } from '../memory/helpers.ts';
import { pgMemory } from './memory-helpers.ts';

test('copyMemoriesToPostgres copies every user\'s memories with vectors, verifies counts, and refuses a second run', async () => {
  const fx = await pgMemory();
  const tmp = await tempDir();
  try {
    const files = await openStore(tmp.dir);
    const users = ['u-plain', 'someone@example.com', 'u-three'];
    for (const [n, user] of users.entries()) {
      for (let i = 0; i < 20 + n; i++) await files.add(user, { id: `e${i}`, content: `note ${i} of ${user} about ${['boats', 'bread', 'code'][i % 3]}`, salience: (i % 10) / 10 });
    }
    await files.add('u-plain', { id: 'e3', content: 'replaced content about kayaks' });
    await files.delete('u-plain', 'e4');
    await files.add('u-three', { id: 'gone', content: 'expired long ago', expiresAt: Date.now() - 1 });
    const queries = [{ search: 'boats' }, { search: 'kayak' }, { search: 'bread code', limit: 5 }, {}, { includeExpired: true }];
    const expected = new Map<string, unknown[]>();
    for (const user of users) expected.set(user, await Promise.all(queries.map((q) => files.search(user, q).then((r) => [r.total, r.entries.map((e) => e.id)]))));
    await files.close();

    const lines: string[] = [];
    const result = await copyMemoriesToPostgres(tmp.dir, fx.pool, (l) => lines.push(l));
    assert.deepEqual(result, { users: 3, entries: 20 + 21 + 22 - 1 + 1 });
    assert.match(lines.join('\n'), /63 entries with 63 vectors of 3 users/);
    const v = await fx.pool.query('SELECT count(*)::int AS n FROM memory_vectors');
    assert.equal(v.rows[0].n, 63);

    const pg = await fx.open();
    for (const user of users) {
      const got = await Promise.all(queries.map((q) => pg.search(user, q).then((r) => [r.total, r.entries.map((e) => e.id)])));
      assert.deepEqual(got, expected.get(user), user);
    }
    assert.equal((await pg.get('u-plain', 'e3'))?.content, 'replaced content about kayaks');
    await assert.rejects(copyMemoriesToPostgres(tmp.dir, fx.pool, () => {}), /already holds 63 memories/);
  } finally {
    await fx.dispose();
    await tmp.cleanup();
  }
});
