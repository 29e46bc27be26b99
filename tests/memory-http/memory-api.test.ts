import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { onPostgresPass } from '../helpers/pg.ts';
import { readSse, startServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
let a: string;
let b: string;
before(async () => {
  s = await startServer();
  a = (await s.signup()).token;
  b = (await s.signup()).token;
});
after(() => s.dispose());

const add = (token: string, body: unknown) => s.api('POST', '/api/memories', { token, body });

test('POST /api/memories stores with defaults and aliases; bad input is 400; an existing id is 409', async () => {
  const r = await add(a, { content: 'The user prefers TypeScript over JavaScript for servers', importance: 8, category: 'preferences', tags: ['lang'] });
  assert.equal(r.status, 201);
  assert.equal(r.body.success, true);
  assert.equal(r.body.memory.layer, 'short_term');
  assert.equal(r.body.memory.salience, 0.8);
  assert.equal(r.body.memory.category, 'preferences');
  assert.equal(typeof r.body.memory.embedder, 'string');
  assert.equal(r.body.memory.dims > 0, true);
  assert.equal((await add(a, { content: '' })).status, 400);
  assert.equal((await add(a, { content: 'x', layer: 'cosmic' })).status, 400);
  assert.equal((await add(a, { content: 'x', salience: 3 })).status, 400);
  assert.equal((await add(a, { id: 'fixed-id', content: 'first' })).status, 201);
  assert.equal((await add(a, { id: 'fixed-id', content: 'again' })).status, 409);
});

test('a memory holding a NUL or a lone surrogate: kept by the files, a clear 400 on PostgreSQL (jsonb cannot hold them), never a 500', async () => {
  for (const content of ['nul \u0000 inside', 'lone \ud800 surrogate']) {
    const r = await add(a, { content });
    if (onPostgresPass()) {
      assert.deepEqual([r.status, r.body.code], [400, 'INVALID_TEXT'], r.text);
      continue;
    }
    assert.equal(r.status, 201, r.text);
    const listed = await s.api('GET', '/api/memories?limit=100', { token: a });
    assert.equal(listed.body.memories.find((m: any) => m.id === r.body.id)?.content, content, listed.text.slice(0, 300));
  }
});

test('search is hybrid and word-form tolerant ("typescripts" finds TypeScript); results are the caller\'s only', async () => {
  await add(a, { content: 'Espresso with oat milk every morning', category: 'food' });
  await add(b, { content: 'User B also loves TypeScript a lot' });
  const r = await s.api('GET', '/api/memory?search=typescripts', { token: a });
  assert.equal(r.status, 200);
  assert.ok(r.body.entries.length >= 1);
  assert.match(r.body.entries[0].content, /TypeScript over JavaScript/);
  assert.ok(r.body.entries.every((e: any) => !/User B/.test(e.content)), 'no other user\'s memory');
  assert.deepEqual(Object.keys(r.body).sort(), ['entries', 'has_more', 'returned', 'total']);
  const alin = await s.api('GET', '/api/memories?search=espresso', { token: a });
  assert.match(alin.body.memories[0].content, /Espresso/);
  const bList = await s.api('GET', '/api/memories', { token: b });
  assert.equal(bList.body.memories.length, 1);
});

test('paging with limit/offset/total and has_more', async () => {
  const u = (await s.signup()).token;
  for (let i = 0; i < 7; i++) await add(u, { content: `note number ${i} about gardening` });
  const p1 = await s.api('GET', '/api/memory?limit=3&offset=0', { token: u });
  const p3 = await s.api('GET', '/api/memory?limit=3&offset=6', { token: u });
  assert.equal(p1.body.total, 7);
  assert.equal(p1.body.returned, 3);
  assert.equal(p1.body.has_more, true);
  assert.equal(p3.body.returned, 1);
  assert.equal(p3.body.has_more, false);
  assert.equal((await s.api('GET', '/api/memory?limit=0', { token: u })).status, 400);
});

test('delete: own → success, another user\'s → 404; clear affects only the caller', async () => {
  const mine = (await add(b, { content: 'to be deleted' })).body.id;
  assert.equal((await s.api('DELETE', `/api/memories/${mine}`, { token: a })).status, 404);
  assert.deepEqual((await s.api('DELETE', `/api/memories/${mine}`, { token: b })).body, { success: true });
  assert.equal((await s.api('DELETE', `/api/memories/${mine}`, { token: b })).status, 404);
  const before = (await s.api('GET', '/api/memory', { token: a })).body.total;
  const cleared = await s.api('DELETE', '/api/memory', { token: b });
  assert.equal(cleared.body.ok, true);
  assert.equal(typeof cleared.body.deleted, 'number');
  assert.equal((await s.api('GET', '/api/memory', { token: b })).body.total, 0);
  assert.equal((await s.api('GET', '/api/memory', { token: a })).body.total, before, 'A keeps everything');
});

test('expired memories are hidden and pruned; restart keeps entries and their vectors', async () => {
  const u = (await s.signup()).token;
  await add(u, { content: 'already expired fact', expiresAt: Date.now() - 1000 });
  await add(u, { content: 'durable fact about sailing boats', layer: 'long_term' });
  const list = await s.api('GET', '/api/memories', { token: u });
  assert.deepEqual(list.body.memories.map((m: any) => m.content), ['durable fact about sailing boats']);
  const pruned = await s.api('POST', '/api/self-model/layer-memory/prune', { token: u });
  assert.equal(pruned.body.pruned, 1);
  s = await s.restart();
  const again = await s.api('GET', '/api/memory?search=sailing', { token: u });
  assert.equal(again.body.entries[0].content, 'durable fact about sailing boats');
  assert.ok(again.body.entries[0].embedder);
});

test('the agent stores and recalls through memory_store / memory_recall', async () => {
  const u = (await s.signup()).token;
  const store = await readSse(`${s.url}/api/chat`, { token: u, body: { message: '/tool memory_store {"content":"The user\'s cat is called Miso","importance":7}' } });
  const stored = store.events.find((e) => e.event === 'tool_result')!;
  assert.equal(stored.data.ok, true);
  assert.equal(stored.data.result.stored, true);
  const recall = await readSse(`${s.url}/api/chat`, { token: u, body: { message: '/tool memory_recall {"query":"cat name"}' } });
  const found = recall.events.find((e) => e.event === 'tool_result')!;
  assert.equal(found.data.ok, true);
  assert.match(JSON.stringify(found.data.result), /Miso/);
  const status = await s.api('GET', '/api/status', { token: u });
  assert.equal(status.body.memory_entries, 1);
});
