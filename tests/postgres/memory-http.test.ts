// Memory through the real server on PostgreSQL (DATABASE_URL): what a client stores is in the tables (not in
// DATA_DIR/memory), survives a restart, and a memory written by another instance on the same database is found at
// once by this server's search.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { pgMemory, type PgMemoryFixture } from './memory-helpers.ts';

let fx: PgMemoryFixture;
let s: TestServer;
before(async () => {
  fx = await pgMemory();
  s = await startServer({ env: { DATABASE_URL: fx.url } });
});
after(async () => {
  await s.dispose();
  await fx.dispose();
});

const add = (token: string, body: unknown) => s.api('POST', '/api/memories', { token, body });

test('memories added over HTTP are rows in PostgreSQL, not files, and survive a restart', async () => {
  const { token, user } = await s.signup();
  const r = await add(token, { content: 'The user sails a small boat on the lake every summer', importance: 7 });
  assert.equal(r.status, 201);
  const rows = await fx.pool.query('SELECT id, embedder FROM memory_entries WHERE user_id = $1', [user.id]);
  assert.equal(rows.rows.length, 1);
  assert.ok(rows.rows[0].embedder);
  const dir = path.join(s.dataDir, 'memory');
  assert.ok(!existsSync(dir) || readdirSync(dir).length === 0, 'no memory files in DATA_DIR');
  assert.equal((await add(token, { id: 'fixed', content: 'first' })).status, 201);
  assert.equal((await add(token, { id: 'fixed', content: 'again' })).status, 409);
  s = await s.restart();
  const found = await s.api('GET', '/api/memory?search=sailing%20boats', { token });
  assert.equal(found.status, 200);
  assert.match(found.body.entries[0].content, /sails a small boat/);
  assert.equal(found.body.total >= 1, true);
});

test('a memory written by another instance on the same database is found by this server at once; deletes too', async () => {
  const { token, user } = await s.signup();
  const other = await fx.open();
  assert.equal((await s.api('GET', '/api/memory?search=harpsichord', { token })).body.total, 0);
  const e = await other.add(user.id, { content: 'Plays the harpsichord on Sunday evenings' });
  const r = await s.api('GET', '/api/memory?search=harpsichord', { token });
  assert.equal(r.body.entries[0]?.content, 'Plays the harpsichord on Sunday evenings');
  await other.delete(user.id, e.id);
  assert.equal((await s.api('GET', '/api/memory?search=harpsichord', { token })).body.total, 0);
  // And the other way: written over HTTP here, found by the other instance.
  await add(token, { content: 'Allergic to hazelnuts' });
  assert.equal((await other.search(user.id, { search: 'hazelnuts' })).entries[0]?.content, 'Allergic to hazelnuts');
});

test('another user\'s memories stay invisible over HTTP on PostgreSQL', async () => {
  const a = await s.signup();
  const b = await s.signup();
  const mine = (await add(b.token, { content: 'B keeps a private diary about orchids' })).body.id;
  assert.equal((await s.api('GET', '/api/memory?search=orchids', { token: a.token })).body.total, 0);
  assert.equal((await s.api('DELETE', `/api/memories/${mine}`, { token: a.token })).status, 404);
  assert.equal((await s.api('GET', '/api/memory?search=orchids', { token: b.token })).body.total, 1);
});
