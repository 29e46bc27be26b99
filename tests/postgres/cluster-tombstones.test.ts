/**
 * Memory tombstones on PostgreSQL are pruned by a run-once job, and pruning never resurrects a deleted memory: an
 * instance whose view is older than the pruned tombstones reloads the user instead of catching up.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { eventually, startPair } from './cluster-pair.ts';

test('old tombstones are pruned; B, which read before the delete on A, still does not find the deleted memory', async () => {
  const pair = await startPair({ MEMORY_TOMBSTONE_TTL_S: '1' });
  const sql = new pg.Client({ connectionString: pair.databaseUrl });
  await sql.connect();
  try {
    const { a, b } = pair;
    const { token } = await a.signup();
    const ids: string[] = [];
    for (const content of ['Grows tomatoes on the balcony', 'Grows basil on the balcony']) {
      const made = await a.api('POST', '/api/memories', { token, body: { content } });
      assert.equal(made.status, 201, made.text);
    }
    const before = await b.api('GET', '/api/memory?search=balcony', { token }); // B's view: both memories
    assert.equal(before.body.total, 2, before.text);
    ids.push(...before.body.entries.map((e: any) => e.id));
    const tomatoes = before.body.entries.find((e: any) => e.content.includes('tomatoes')).id;
    assert.ok((await a.api('DELETE', `/api/memories/${encodeURIComponent(tomatoes)}`, { token })).status < 300);
    const tombstones = async () => (await sql.query('SELECT count(*)::int AS n FROM memory_tombstones')).rows[0].n;
    assert.equal(await tombstones(), 1, 'the delete left a tombstone');
    // B has not searched since the delete: its view is older than the tombstone when the job prunes it.
    await eventually(async () => (await tombstones()) === 0, 'the tombstone was pruned');
    const after = await b.api('GET', '/api/memory?search=balcony', { token });
    assert.deepEqual(after.body.entries.map((e: any) => e.content), ['Grows basil on the balcony'], 'the deleted memory came back on B');
    const marked = (await sql.query('SELECT pruned_through FROM memory_users')).rows;
    assert.equal(marked.length, 1);
    assert.ok(Number(marked[0].pruned_through) > 0);
  } finally {
    await sql.end();
    await pair.close();
  }
});
