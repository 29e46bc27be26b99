/**
 * Attacks on the joined reads each instance answers from memory (PgStore.useChangeFence): B reads a conversation and
 * the list twice (the second time from memory while its fence vouches), A changes it — a message added, edited or
 * deleted, the conversation renamed, deleted or a new one made — and B is asked right after A acknowledged. B must
 * answer the change every time. Then the same with every instance's LISTEN session cut: B must read the database.
 * Counted: attempts and stale answers (must be 0).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startPair, type Pair } from './cluster-pair.ts';
import type { TestServer } from '../helpers/server.ts';

let pair: Pair;
let user: { token: string };
before(async () => {
  pair = await startPair({ SIGNUP_RATE_LIMIT: '1000' });
  await pair.a.signup(); // the admin
  user = await pair.a.signup();
});
after(() => pair.close());

const call = (s: TestServer, method: string, url: string, body?: unknown) => s.api(method, url, { token: user.token, ...(body === undefined ? {} : { body }) });

/** B answers the conversation and the list twice each, so what it read is held in memory when the fence vouches. */
async function warm(b: TestServer, conversationId: string): Promise<void> {
  for (let i = 0; i < 2; i++) {
    assert.equal((await call(b, 'GET', `/api/conversations/${conversationId}`)).status, 200);
    assert.equal((await call(b, 'GET', '/api/conversations')).status, 200);
  }
}

type Change = 'add' | 'edit' | 'delete-message' | 'rename' | 'delete-conversation' | 'create';
const CHANGES: Change[] = ['add', 'edit', 'delete-message', 'rename', 'delete-conversation', 'create'];

/** Makes `change` on A (acknowledged when this resolves) and returns whether B's next answers show it. */
async function changeOnAThenAskB(a: TestServer, b: TestServer, change: Change, round: number): Promise<boolean> {
  const conv = (await call(a, 'POST', '/api/conversations', { title: `round ${round}` })).body;
  const first = (await call(a, 'POST', `/api/conversations/${conv.id}/messages`, { role: 'user', content: `first ${round}` })).body;
  await warm(b, conv.id);
  const text = `changed ${round}`;
  let created = '';
  if (change === 'add') assert.equal((await call(a, 'POST', '/api/messages', { conversationId: conv.id, role: 'assistant', content: text })).status, 201);
  if (change === 'edit') assert.equal((await call(a, 'PATCH', `/api/messages/${first.id}`, { content: text })).status, 200);
  if (change === 'delete-message') assert.ok((await call(a, 'DELETE', `/api/messages/${first.id}`)).status < 300);
  if (change === 'rename') assert.equal((await call(a, 'PATCH', `/api/conversations/${conv.id}`, { title: text })).status, 200);
  if (change === 'delete-conversation') assert.ok((await call(a, 'DELETE', `/api/conversations/${conv.id}`)).status < 300);
  if (change === 'create') created = (await call(a, 'POST', '/api/conversations', { title: text })).body.id;

  const one = await call(b, 'GET', `/api/conversations/${conv.id}`);
  const list = (await call(b, 'GET', '/api/conversations?limit=200')).body.conversations as Array<{ id: string; title: string; messageCount?: number }>;
  const listed = list.find((c) => c.id === conv.id);
  const texts = JSON.stringify(one.body?.messages ?? []);
  switch (change) {
    case 'add':
      return texts.includes(text) && one.body.messages.length === 2;
    case 'edit':
      return texts.includes(text) && !texts.includes(`first ${round}`);
    case 'delete-message':
      return one.status === 200 && one.body.messages.length === 0;
    case 'rename':
      return one.body.conversation.title === text && listed?.title === text;
    case 'delete-conversation':
      return one.status === 404 && listed === undefined;
    case 'create':
      return list.some((c) => c.id === created);
  }
}

test("a change on A is in B's very next answer, right after B answered from memory", async () => {
  let attempts = 0;
  let stale = 0;
  for (let round = 0; round < 24; round++) {
    attempts++;
    if (!(await changeOnAThenAskB(pair.a, pair.b, CHANGES[round % CHANGES.length], round))) stale++;
  }
  console.log(`joined reads, change on A, read on B: ${attempts} attempts, ${stale} stale`);
  assert.equal(stale, 0);
});

test('the same on one instance: its own write is in its next answer', async () => {
  let stale = 0;
  for (let round = 100; round < 112; round++) if (!(await changeOnAThenAskB(pair.a, pair.a, CHANGES[round % CHANGES.length], round))) stale++;
  assert.equal(stale, 0);
});

test('an instance that joins while another writes alone never keeps what the lone writer changed unannounced', async () => {
  // A has been alone (its writes send no notice) until C starts; C reads while A keeps changing the conversation.
  const lone = await startPair({ SIGNUP_RATE_LIMIT: '1000' });
  try {
    await lone.b.stop(); // A alone again once B's pings are over
    await new Promise((r) => setTimeout(r, 3_500));
    await lone.a.signup();
    const owner = await lone.a.signup();
    const say = (s: TestServer, method: string, url: string, body?: unknown) => s.api(method, url, { token: owner.token, ...(body === undefined ? {} : { body }) });
    const conv = (await say(lone.a, 'POST', '/api/conversations', { title: 'v0' })).body;
    const c = await lone.another();
    let attempts = 0;
    let stale = 0;
    for (let v = 1; v <= 30; v++) {
      await say(c, 'GET', `/api/conversations/${conv.id}`);
      assert.equal((await say(lone.a, 'PATCH', `/api/conversations/${conv.id}`, { title: `v${v}` })).status, 200);
      attempts++;
      if ((await say(c, 'GET', `/api/conversations/${conv.id}`)).body.conversation.title !== `v${v}`) stale++;
      await new Promise((r) => setTimeout(r, 50)); // spread the rounds over C's introduction
    }
    console.log(`joined reads on an instance joining a lone writer: ${attempts} attempts, ${stale} stale`);
    assert.equal(stale, 0);
  } finally {
    await lone.close();
  }
});

test('an instance that stopped hearing (frozen past the others noticing) does not answer what it held before', async () => {
  const conv = (await call(pair.a, 'POST', '/api/conversations', { title: 'before the freeze' })).body;
  await warm(pair.b, conv.id);
  pair.b.child.kill('SIGSTOP'); // B's pings stop: A stops counting it as live, so A's writes send no notice
  try {
    await new Promise((r) => setTimeout(r, 3_600));
    assert.equal((await call(pair.a, 'PATCH', `/api/conversations/${conv.id}`, { title: 'changed while B was frozen' })).status, 200);
  } finally {
    pair.b.child.kill('SIGCONT');
  }
  await new Promise((r) => setTimeout(r, 400)); // B pings and hears itself again: its trust must not simply resume
  const seen = (await call(pair.b, 'GET', `/api/conversations/${conv.id}`)).body.conversation.title;
  assert.equal(seen, 'changed while B was frozen');
});

test('with the LISTEN sessions cut, B reads the database instead of trusting memory', async () => {
  const db = new pg.Client({ connectionString: pair.databaseUrl });
  await db.connect();
  let attempts = 0;
  let stale = 0;
  try {
    for (let round = 200; round < 206; round++) {
      const conv = (await call(pair.a, 'POST', '/api/conversations', { title: `cut ${round}` })).body;
      await warm(pair.b, conv.id);
      // Every instance's dedicated session (LISTEN, pings) is killed: notices sent now are heard by nobody.
      await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'aion-cluster'`);
      assert.equal((await call(pair.a, 'PATCH', `/api/conversations/${conv.id}`, { title: `renamed ${round}` })).status, 200);
      attempts++;
      if ((await call(pair.b, 'GET', `/api/conversations/${conv.id}`)).body.conversation.title !== `renamed ${round}`) stale++;
    }
  } finally {
    await db.end();
  }
  console.log(`joined reads with sessions cut: ${attempts} attempts, ${stale} stale`);
  assert.equal(stale, 0);
});
