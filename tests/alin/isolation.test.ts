/**
 * Per-user isolation of the ALIN data API: a second user tries every endpoint with the first user's ids and gets 404
 * (never 403, never data), sees nothing of them in lists, and can reuse the same ids for their own objects.
 * Also: every route of the four plugins is registered and needs a token.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { TestServer } from '../helpers/server.ts';
import { assertError, bootWithAdmin, userOnPlan, type Account } from './helpers.ts';

let s: TestServer;
let a: Account;
let b: Account;
const LAYERS = ['immediate', 'short_term', 'working', 'episodic', 'semantic', 'relational', 'notes', 'self_model'];

before(async () => {
  const boot = await bootWithAdmin();
  s = boot.s;
  a = await userOnPlan(s, boot.admin, 'pro');
  b = await userOnPlan(s, boot.admin, 'pro');
  const call = async (m: string, p: string, body?: unknown) => {
    const r = await s.api(m, p, { token: a.token, body });
    assert.ok(r.status < 300, `${m} ${p}: ${r.text}`);
    return r;
  };
  await call('POST', '/api/conversations', { id: 'a-conv', title: 'secret' });
  await call('POST', '/api/messages', { id: 'a-msg', conversationId: 'a-conv', role: 'user', content: 'secret text' });
  await call('POST', '/api/tbwos', { id: 'a-tbwo', objective: 'secret' });
  await call('POST', '/api/tbwo/a-tbwo/receipts', { data: 'secret' });
  await call('POST', '/api/self-model/outcomes', { type: 'secret' });
  await call('POST', '/api/self-model/tool-reliability', { toolName: 'secret_tool', success: false, errorReason: 'secret' });
  await call('POST', '/api/self-model/corrections', { original: 'a', corrected: 'secret' });
  for (const layer of LAYERS) await call('POST', '/api/self-model/layer-memory', { layer, content: `secret ${layer}`, expiresAt: layer === 'notes' ? Date.now() - 1 : undefined });
});
after(() => s.dispose());

/** Everything of user A, as A sees it. */
async function snapshotOfA() {
  const get = async (p: string) => (await s.api('GET', p, { token: a.token })).body;
  return {
    conv: await get('/api/conversations/a-conv'),
    list: await get('/api/conversations'),
    tbwo: await get('/api/tbwos/a-tbwo'),
    outcomes: await get('/api/self-model/outcomes'),
    tools: await get('/api/self-model/tool-reliability'),
    corrections: await get('/api/self-model/corrections'),
  };
}

it("every endpoint with the other user's ids → 404, and nothing of A changes", async () => {
  const before = await snapshotOfA();
  const attempts: Array<[string, string, unknown?]> = [
    ['GET', '/api/conversations/a-conv'],
    ['PATCH', '/api/conversations/a-conv', { title: 'pwned' }],
    ['DELETE', '/api/conversations/a-conv'],
    ['POST', '/api/messages', { conversationId: 'a-conv', role: 'user', content: 'x' }],
    ['POST', '/api/conversations/a-conv/messages', { role: 'user', content: 'x' }],
    ['PATCH', '/api/messages/a-msg', { content: 'pwned' }],
    ['DELETE', '/api/messages/a-msg'],
  ];
  for (const prefix of ['/api/tbwos', '/api/tbwo']) {
    attempts.push(
      ['GET', `${prefix}/a-tbwo`],
      ['PATCH', `${prefix}/a-tbwo`, { objective: 'pwned', status: 'planning' }],
      ['DELETE', `${prefix}/a-tbwo`],
      ['POST', `${prefix}/a-tbwo/receipts`, { data: 'pwned' }],
      ['GET', `${prefix}/a-tbwo/receipts`],
    );
  }
  for (const [m, p, body] of attempts) {
    const r = await s.api(m, p, { token: b.token, body });
    assertError(r, 404);
    assert.ok(!r.text.includes('secret'), `${m} ${p} leaks`);
  }
  assert.deepEqual(await snapshotOfA(), before);
});

it("lists and counts of the other user show none of A's data", async () => {
  const get = async (p: string) => {
    const r = await s.api('GET', p, { token: b.token });
    assert.equal(r.status, 200, r.text);
    assert.ok(!r.text.includes('secret'), `${p} leaks`);
    return r.body;
  };
  assert.deepEqual((await get('/api/conversations')).conversations, []);
  assert.deepEqual((await get('/api/conversations?archived=1')).conversations, []);
  assert.deepEqual((await get('/api/tbwos')).tbwos, []);
  assert.deepEqual((await get('/api/tbwo')).tbwos, []);
  assert.deepEqual((await get('/api/self-model/outcomes')).outcomes, []);
  assert.deepEqual((await get('/api/self-model/outcomes?type=secret')).outcomes, []);
  assert.deepEqual((await get('/api/self-model/tool-reliability')).tools, []);
  assert.deepEqual((await get('/api/self-model/corrections')).corrections, []);
  for (const layer of LAYERS) assert.deepEqual((await get(`/api/self-model/layer-memory?layer=${layer}`)).memories, []);
  const pruned = await s.api('POST', '/api/self-model/layer-memory/prune', { token: b.token });
  assert.deepEqual(pruned.body, { success: true, pruned: 0 }, "B's prune does not touch A's expired memory");
  await get('/api/auth/me');
});

it('the same ids are free for the other user and stay separate', async () => {
  const call = (m: string, p: string, body?: unknown) => s.api(m, p, { token: b.token, body });
  assert.equal((await call('POST', '/api/conversations', { id: 'a-conv', title: 'mine' })).status, 201);
  assert.equal((await call('POST', '/api/messages', { id: 'a-msg', conversationId: 'a-conv', role: 'user', content: 'mine' })).status, 201);
  assert.equal((await call('POST', '/api/tbwos', { id: 'a-tbwo' })).status, 201);
  assert.equal((await call('PATCH', '/api/messages/a-msg', { content: 'mine 2' })).status, 200);
  const bConv = (await call('GET', '/api/conversations/a-conv')).body;
  assert.equal(bConv.conversation.title, 'mine');
  assert.deepEqual(bConv.messages.map((m: any) => m.content), ['mine 2']);
  assert.equal((await call('GET', '/api/tbwos/a-tbwo')).body.tbwo.receipts, null);
  assert.deepEqual((await call('GET', '/api/tbwos/a-tbwo/receipts')).body.receipts, []);
  const aConv = (await s.api('GET', '/api/conversations/a-conv', { token: a.token })).body;
  assert.equal(aConv.conversation.title, 'secret');
  assert.deepEqual(aConv.messages.map((m: any) => [m.content, m.isEdited]), [['secret text', false]]);
  assert.equal((await call('DELETE', '/api/conversations/a-conv')).status, 200);
  assert.equal((await call('DELETE', '/api/tbwos/a-tbwo')).status, 200);
  assert.equal((await s.api('GET', '/api/conversations/a-conv', { token: a.token })).status, 200);
  assert.equal((await s.api('GET', '/api/tbwos/a-tbwo/receipts', { token: a.token })).body.receipts.length, 1);
});

it('every route of the four plugins is registered and answers 401 without a token', async () => {
  const doc = (await s.api('GET', '/api/openapi.json')).body;
  const mine: Array<[string, string]> = [];
  for (const [p, ops] of Object.entries<any>(doc.paths)) {
    for (const [m, op] of Object.entries<any>(ops)) if (op.tags?.some((t: string) => /^alin-(conversations|tbwo|self-model|system)$/.test(t))) mine.push([m.toUpperCase(), p]);
  }
  const expected = [
    'GET /api/conversations', 'POST /api/conversations', 'GET /api/conversations/{id}', 'PATCH /api/conversations/{id}', 'DELETE /api/conversations/{id}',
    'POST /api/messages', 'POST /api/conversations/{id}/messages', 'PATCH /api/messages/{id}', 'DELETE /api/messages/{id}',
    ...['/api/tbwos', '/api/tbwo'].flatMap((x) => [`GET ${x}`, `POST ${x}`, `GET ${x}/{id}`, `PATCH ${x}/{id}`, `DELETE ${x}/{id}`, `POST ${x}/{id}/receipts`, `GET ${x}/{id}/receipts`]),
    'POST /api/self-model/outcomes', 'GET /api/self-model/outcomes', 'POST /api/self-model/tool-reliability', 'GET /api/self-model/tool-reliability',
    'POST /api/self-model/corrections', 'GET /api/self-model/corrections', 'POST /api/self-model/layer-memory', 'GET /api/self-model/layer-memory',
    'POST /api/self-model/layer-memory/prune', 'GET /api/system/metrics',
    'POST /api/self-model/decisions', 'GET /api/self-model/decisions', 'POST /api/self-model/thinking-traces', 'GET /api/self-model/thinking-traces',
    'GET /api/self-model/model-success-rates',
  ];
  assert.deepEqual(mine.map(([m, p]) => `${m} ${p}`).sort(), expected.sort());
  for (const [m, p] of mine) assertError(await s.api(m, p.replace(/\{id\}/g, 'a-conv'), { body: m === 'GET' || m === 'DELETE' ? undefined : {} }), 401);
});

it('every route of the chat, memory, code, files and auth plugins needs a token, except signup and login', async () => {
  const doc = (await s.api('GET', '/api/openapi.json')).body;
  const routes: Array<[string, string]> = [];
  for (const [p, ops] of Object.entries<any>(doc.paths)) {
    for (const [m, op] of Object.entries<any>(ops)) if (op.tags?.some((t: string) => /^alin-(chat|memory|code|files|auth)$/.test(t))) routes.push([m.toUpperCase(), p]);
  }
  const names = routes.map(([m, p]) => `${m} ${p}`);
  for (const r of ['POST /api/command/execute', 'POST /api/editor/execute', 'POST /api/coding/stream', 'PATCH /api/memories/{id}', 'POST /api/auth/logout', 'POST /api/auth/refresh', 'POST /api/workspace/init', 'GET /api/workspace/tree', 'GET /api/workspace/file', 'POST /api/workspace/upload', 'DELETE /api/workspace']) {
    assert.ok(names.includes(r), `${r} is registered`);
  }
  const open = new Set(['POST /api/auth/signup', 'POST /api/auth/login']);
  let unauthenticated = 0;
  for (const [m, p] of routes) {
    if (open.has(`${m} ${p}`)) continue;
    const r = await s.api(m, p.replace(/\{[^}]+\}/g, 'x'), { body: m === 'GET' || m === 'DELETE' ? undefined : {} });
    if (r.status !== 401) unauthenticated++;
    assertError(r, 401);
  }
  assert.equal(unauthenticated, 0);
});
