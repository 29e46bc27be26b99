/**
 * The document store on PostgreSQL, through the API: rows are where the data is (one row per message), every
 * acknowledged write is committed (a SIGKILL right after loses nothing), text jsonb would refuse (NUL) is stored, and
 * two instances on one database updating one conversation concurrently lose no update (row locks, no cache).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase } from '../helpers/pg.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: pg.Pool;
before(async () => {
  db = await createTestDatabase();
  sql = new pg.Pool({ connectionString: db.url, max: 2 });
});
after(async () => {
  await sql.end();
  await db.drop();
});

const rows = async (collection: string, owner: string) =>
  (await sql.query('SELECT part, id, doc FROM store_documents WHERE collection = $1 AND owner = $2 ORDER BY seq', [collection, owner])).rows;

test('sign-up, conversation and messages are rows of store_documents, committed before the answer', async () => {
  const s = await startServer({ databaseUrl: db.url });
  let s2: TestServer | undefined;
  try {
    const u = await s.signup();
    assert.equal((await sql.query("SELECT count(*)::int AS n FROM store_documents WHERE collection = 'users' AND owner = '' AND id = $1", [u.user.id])).rows[0].n, 1);
    const c = await s.api('POST', '/api/conversations', { token: u.token, body: { id: 'pg-conv', title: 'On PostgreSQL' } });
    assert.equal(c.status, 201, c.text);
    for (let i = 0; i < 5; i++) {
      const m = await s.api('POST', '/api/messages', { token: u.token, body: { conversationId: 'pg-conv', role: 'user', content: `m${i}` } });
      assert.equal(m.status, 201, m.text);
    }
    const messages = await rows('messages', u.user.id);
    assert.deepEqual(messages.map((r) => [r.part, r.doc.content]), [0, 1, 2, 3, 4].map((i) => ['pg-conv', `m${i}`]), 'one row per message, in order');
    assert.equal((await rows('conversations', u.user.id))[0].doc.title, 'On PostgreSQL');
    // A SIGKILL right after the answers: nothing acknowledged is lost (the rows were committed, not buffered).
    await s.kill();
    s2 = await s.restart();
    const login = await s2.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
    assert.equal(login.status, 200, login.text);
    const g = await s2.api('GET', '/api/conversations/pg-conv', { token: login.body.token });
    assert.equal(g.status, 200, g.text);
    assert.deepEqual(g.body.messages.map((m: any) => m.content), ['m0', 'm1', 'm2', 'm3', 'm4']);
  } finally {
    await s.stop();
    await s2?.stop();
  }
});

test('a NUL character and other text jsonb refuses round-trip through a message (no 500)', async () => {
  const s = await startServer({ databaseUrl: db.url });
  try {
    const u = await s.signup();
    await s.api('POST', '/api/conversations', { token: u.token, body: { id: 'nul' } });
    const tricky = ['a\u0000b', '\\u0000', '\ud83d\ude00 emoji', 'quote " and \\ backslash', 'x'.repeat(100_000)];
    for (const content of tricky) {
      const r = await s.api('POST', '/api/messages', { token: u.token, body: { conversationId: 'nul', role: 'user', content } });
      assert.equal(r.status, 201, r.text.slice(0, 300));
    }
    const g = await s.api('GET', '/api/conversations/nul', { token: u.token });
    assert.deepEqual(g.body.messages.map((m: any) => m.content), tricky);
  } finally {
    await s.stop();
  }
});

test('two instances on one database: concurrent PATCHes of one conversation lose no update, each sees the other at once', async () => {
  const a = await startServer({ databaseUrl: db.url });
  const b = await startServer({ databaseUrl: db.url, dataDir: a.dataDir });
  try {
    const u = await a.signup();
    // The token is signed with the shared DATA_DIR's secret; the account row is read from the database by b.
    assert.equal((await a.api('POST', '/api/conversations', { token: u.token, body: { id: 'shared' } })).status, 201);
    const seen = await b.api('GET', '/api/conversations/shared', { token: u.token });
    assert.equal(seen.status, 200, `b reads what a committed: ${seen.text}`);
    const patches = Array.from({ length: 40 }, (_, i) =>
      (i % 2 ? a : b).api('PATCH', '/api/conversations/shared', { token: u.token, body: { metadata: { [`k${i}`]: i } } }),
    );
    for (const r of await Promise.all(patches)) assert.equal(r.status, 200, r.text);
    const metadata = (await b.api('GET', '/api/conversations/shared', { token: u.token })).body.conversation.metadata;
    assert.deepEqual(Object.keys(metadata).sort(), Array.from({ length: 40 }, (_, i) => `k${i}`).sort(), 'every update kept');
    // A message written on b is found (edited, then deleted) on a, whose message index was built before it existed.
    assert.equal((await a.api('POST', '/api/messages', { token: u.token, body: { conversationId: 'shared', role: 'user', content: 'from a' } })).status, 201);
    const m = await b.api('POST', '/api/messages', { token: u.token, body: { conversationId: 'shared', role: 'user', content: 'from b' } });
    assert.equal(m.status, 201, m.text);
    const edit = await a.api('PATCH', `/api/messages/${m.body.message?.id ?? m.body.id}`, { token: u.token, body: { content: 'edited on a' } });
    assert.equal(edit.status, 200, edit.text);
    const list = (await b.api('GET', '/api/conversations/shared', { token: u.token })).body.messages.map((x: any) => x.content);
    assert.deepEqual(list, ['from a', 'edited on a']);
  } finally {
    await a.stop();
    await b.stop();
  }
});
