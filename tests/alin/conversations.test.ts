/** ALIN conversations and messages: every endpoint's success path and its 400/401/404/409 answers. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../helpers/server.ts';
import { assertError, bootWithAdmin, type Account } from './helpers.ts';

let s: TestServer;
let u: Account;
const api = (method: string, path: string, body?: unknown) => s.api(method, path, { token: u.token, body });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  ({ s } = await bootWithAdmin());
  u = await s.signup();
});
after(() => s.dispose());

const LIST_KEYS = ['createdAt', 'id', 'isArchived', 'isFavorite', 'isPinned', 'messageCount', 'mode', 'model', 'preview', 'provider', 'title', 'updatedAt'];

describe('POST /api/conversations', () => {
  it('creates with defaults and answers 201 { success, id, conversation }', async () => {
    const r = await api('POST', '/api/conversations', {});
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.success, true);
    assert.match(r.body.id, /^[0-9a-f-]{36}$/);
    const c = r.body.conversation;
    assert.equal(c.id, r.body.id);
    assert.equal(c.mode, 'regular');
    assert.equal(c.messageCount, 0);
    assert.equal(c.isFavorite, false);
    assert.equal(c.isArchived, false);
    assert.equal(c.isPinned, false);
    assert.equal(typeof c.title, 'string');
    assert.equal(typeof c.createdAt, 'number');
    assert.deepEqual(c.metadata, {});
  });

  it('takes a client id, title, mode, model, provider', async () => {
    const r = await api('POST', '/api/conversations', { id: 'Client_id-1', title: 'T', mode: 'coding', model: 'm1', provider: 'p1' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.id, 'Client_id-1');
    assert.deepEqual([r.body.conversation.title, r.body.conversation.mode, r.body.conversation.model, r.body.conversation.provider], ['T', 'coding', 'm1', 'p1']);
  });

  it('a reused id → 409, the original untouched', async () => {
    assertError(await api('POST', '/api/conversations', { id: 'Client_id-1', title: 'other' }), 409);
    assert.equal((await api('GET', '/api/conversations/Client_id-1')).body.conversation.title, 'T');
  });

  it('ids must be 1–128 characters of [A-Za-z0-9_-] → else 400', async () => {
    for (const id of ['', 'a b', '../x', 'a/b', 'é', 'a.b', 'x'.repeat(129), 5, null]) {
      assertError(await api('POST', '/api/conversations', { id }), 400, 'VALIDATION_ERROR');
    }
    assert.equal((await api('POST', '/api/conversations', { id: 'y'.repeat(128) })).status, 201);
  });

  it('wrong types → 400 with details', async () => {
    const r = await api('POST', '/api/conversations', { title: 7 });
    assertError(r, 400, 'VALIDATION_ERROR');
    assert.equal(r.body.details[0].field, 'title');
    assertError(await s.api('POST', '/api/conversations', { token: u.token, raw: '{bad json' }), 400);
  });

  it('no token or a forged token → 401', async () => {
    assertError(await s.api('POST', '/api/conversations', { body: {} }), 401);
    assertError(await s.api('POST', '/api/conversations', { body: {}, token: 'not.a.jwt' }), 401);
  });
});

describe('messages', () => {
  it('POST /api/messages → 201 { success, id, timestamp }; GET shows them oldest first with every field', async () => {
    await api('POST', '/api/conversations', { id: 'm-conv' });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await api('POST', '/api/messages', { conversationId: 'm-conv', role: i % 2 ? 'assistant' : 'user', content: `msg ${i}` });
      assert.equal(r.status, 201, r.text);
      assert.deepEqual(Object.keys(r.body).sort(), ['id', 'success', 'timestamp']);
      assert.equal(typeof r.body.timestamp, 'number');
      ids.push(r.body.id);
    }
    const withAll = await api('POST', '/api/messages', {
      id: 'mine-1', conversationId: 'm-conv', role: 'assistant', content: [{ type: 'text', text: 'block' }, { type: 'tool_use', id: 't', name: 'x', input: {} }],
      model: 'claude-x', tokens: { input: 10, output: 20 }, thinkingContent: 'hmm', metadata: { k: 1 },
    });
    assert.equal(withAll.status, 201, withAll.text);
    assert.equal(withAll.body.id, 'mine-1');
    const g = await api('GET', '/api/conversations/m-conv');
    assert.equal(g.status, 200);
    assert.deepEqual(Object.keys(g.body).sort(), ['conversation', 'messages', 'success']);
    assert.deepEqual(g.body.messages.map((m: any) => m.id), [...ids, 'mine-1']);
    const last = g.body.messages[5];
    assert.equal(last.role, 'assistant');
    assert.deepEqual(last.content[1], { type: 'tool_use', id: 't', name: 'x', input: {} });
    assert.deepEqual(last.tokens, { input: 10, output: 20 });
    assert.equal(last.tokensInput, 10);
    assert.equal(last.thinkingContent, 'hmm');
    assert.deepEqual(last.metadata, { k: 1 });
    assert.equal(last.isEdited, false);
    assert.equal(last.conversationId, 'm-conv');
    assert.equal(g.body.conversation.messageCount, 6);
    assert.equal(g.body.conversation.preview, 'block');
  });

  it('the original client route POST /api/conversations/:id/messages takes tokensInput, tokensOutput, cost, parentId', async () => {
    const r = await api('POST', '/api/conversations/m-conv/messages', { id: 'nested-1', role: 'user', content: 'n', tokensInput: 3, tokensOutput: 4, cost: 0.25, parentId: 'mine-1' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.id, 'nested-1');
    const m = (await api('GET', '/api/conversations/m-conv')).body.messages.at(-1);
    assert.deepEqual([m.id, m.tokensInput, m.tokensOutput, m.cost, m.parentId], ['nested-1', 3, 4, 0.25, 'mine-1']);
    assert.deepEqual(m.tokens, { input: 3, output: 4 });
    const n = await api('POST', '/api/conversations/m-conv/messages', { role: 'user', content: 'x', tokens: 9 });
    assert.equal(n.status, 201);
    assert.deepEqual((await api('GET', '/api/conversations/m-conv')).body.messages.at(-1).tokens, { input: 0, output: 9 });
  });

  it('400 on bad role, content, missing fields, bad ids; 404 on unknown conversation; 409 on a reused message id', async () => {
    for (const body of [
      { conversationId: 'm-conv', content: 'x' },
      { conversationId: 'm-conv', role: 'robot', content: 'x' },
      { conversationId: 'm-conv', role: 'user' },
      { conversationId: 'm-conv', role: 'user', content: 5 },
      { conversationId: 'm-conv', role: 'user', content: [{ text: 'no type' }] },
      { conversationId: 'm-conv', role: 'user', content: 'x', tokens: 'many' },
      { conversationId: 'm-conv', role: 'user', content: 'x', id: 'bad id' },
      { role: 'user', content: 'x' },
      { conversationId: '../../etc', role: 'user', content: 'x' },
    ]) assertError(await api('POST', '/api/messages', body), 400, 'VALIDATION_ERROR');
    assertError(await api('POST', '/api/messages', { conversationId: 'nope', role: 'user', content: 'x' }), 404);
    assertError(await api('POST', '/api/conversations/nope/messages', { role: 'user', content: 'x' }), 404);
    assertError(await api('POST', '/api/conversations/bad%20id/messages', { role: 'user', content: 'x' }), 404);
    assertError(await api('POST', '/api/conversations/m-conv/messages', { role: 'user' }), 400);
    assertError(await api('POST', '/api/messages', { id: 'mine-1', conversationId: 'm-conv', role: 'user', content: 'again' }), 409);
    // Message ids are unique per user, across conversations.
    await api('POST', '/api/conversations', { id: 'other-conv' });
    assertError(await api('POST', '/api/conversations/other-conv/messages', { id: 'mine-1', role: 'user', content: 'again' }), 409);
    assertError(await s.api('POST', '/api/messages', { body: { conversationId: 'm-conv', role: 'user', content: 'x' } }), 401);
    assertError(await s.api('POST', '/api/conversations/m-conv/messages', { body: { role: 'user', content: 'x' } }), 401);
  });

  it('PATCH /api/messages/:id edits and marks isEdited; 404 unknown; 400 bad body', async () => {
    const r = await api('PATCH', '/api/messages/mine-1', { content: 'edited', metadata: { e: true }, thinkingContent: 't2', tokens: 7 });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { success: true });
    const m = (await api('GET', '/api/conversations/m-conv')).body.messages.find((x: any) => x.id === 'mine-1');
    assert.equal(m.content, 'edited');
    assert.equal(m.isEdited, true);
    assert.equal(m.thinkingContent, 't2');
    assert.deepEqual(m.metadata, { k: 1, e: true });
    assert.deepEqual(m.tokens, { input: 0, output: 7 });
    assertError(await api('PATCH', '/api/messages/nope', { content: 'x' }), 404);
    assertError(await api('PATCH', '/api/messages/bad%20id', { content: 'x' }), 404);
    assertError(await api('PATCH', '/api/messages/mine-1', { content: 42 }), 400);
    assertError(await s.api('PATCH', '/api/messages/mine-1', { body: { content: 'x' } }), 401);
  });

  it('DELETE /api/messages/:id removes it and keeps messageCount current; again → 404', async () => {
    const before = (await api('GET', '/api/conversations/m-conv')).body.conversation;
    await sleep(5);
    const r = await api('DELETE', '/api/messages/nested-1');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { success: true });
    const after = (await api('GET', '/api/conversations/m-conv')).body;
    assert.equal(after.conversation.messageCount, before.messageCount - 1);
    assert.ok(!after.messages.some((m: any) => m.id === 'nested-1'));
    const listed = (await api('GET', '/api/conversations?limit=200')).body.conversations.find((c: any) => c.id === 'm-conv');
    assert.equal(listed.messageCount, before.messageCount - 1);
    assert.ok(listed.updatedAt > before.updatedAt);
    assertError(await api('DELETE', '/api/messages/nested-1'), 404);
    assertError(await s.api('DELETE', '/api/messages/mine-1'), 401);
  });

  it('writes arriving together on a fresh user all land and stay editable', async () => {
    const fresh = await s.signup();
    const call = (m: string, p: string, body?: unknown) => s.api(m, p, { token: fresh.token, body });
    await call('POST', '/api/conversations', { id: 'burst' });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => call('POST', '/api/messages', { id: `b${i}`, conversationId: 'burst', role: 'user', content: `m${i}` })));
    assert.deepEqual(results.map((r) => r.status), Array(40).fill(201));
    const patched = await Promise.all(Array.from({ length: 40 }, (_, i) => call('PATCH', `/api/messages/b${i}`, { content: 'e' })));
    assert.deepEqual(patched.map((r) => r.status), Array(40).fill(200));
    const g = (await call('GET', '/api/conversations/burst')).body;
    assert.equal(g.messages.length, 40);
    assert.equal(g.conversation.messageCount, 40);
  });
});

describe('GET /api/conversations', () => {
  it('lists exactly the documented fields, newest updatedAt first', async () => {
    const r = await api('GET', '/api/conversations?limit=200');
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body).sort(), ['conversations', 'success']);
    for (const c of r.body.conversations) assert.deepEqual(Object.keys(c).sort(), LIST_KEYS);
    const times = r.body.conversations.map((c: any) => c.updatedAt);
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    // A new message moves its conversation to the top.
    await sleep(5);
    await api('POST', '/api/messages', { conversationId: 'Client_id-1', role: 'user', content: 'bump' });
    const top = (await api('GET', '/api/conversations')).body.conversations[0];
    assert.equal(top.id, 'Client_id-1');
    assert.equal(top.preview, 'bump');
    assert.equal(top.messageCount, 1);
  });

  it('?archived=1 shows archived only; default hides them', async () => {
    await api('PATCH', '/api/conversations/other-conv', { isArchived: true });
    const normal = (await api('GET', '/api/conversations?limit=200')).body.conversations.map((c: any) => c.id);
    const archived = (await api('GET', '/api/conversations?archived=1')).body.conversations.map((c: any) => c.id);
    assert.ok(!normal.includes('other-conv'));
    assert.deepEqual(archived, ['other-conv']);
    assert.ok((await api('GET', '/api/conversations?archived=0')).body.conversations.length === normal.length);
  });

  it('limit (default 50, at most 200) and offset page through', async () => {
    const all = (await api('GET', '/api/conversations?limit=200')).body.conversations.map((c: any) => c.id);
    assert.ok(all.length >= 4);
    const p1 = (await api('GET', '/api/conversations?limit=2')).body.conversations.map((c: any) => c.id);
    const p2 = (await api('GET', '/api/conversations?limit=2&offset=2')).body.conversations.map((c: any) => c.id);
    assert.deepEqual([...p1, ...p2], all.slice(0, 4));
    const many = await Promise.all(Array.from({ length: 55 }, (_, i) => api('POST', '/api/conversations', { id: `bulk${i}` })));
    assert.ok(many.every((r) => r.status === 201));
    assert.equal((await api('GET', '/api/conversations')).body.conversations.length, 50);
    assert.equal((await api('GET', '/api/conversations?limit=1000')).body.conversations.length, all.length + 55);
  });

  it('bad query → 400; no token → 401', async () => {
    for (const q of ['limit=abc', 'limit=0', 'limit=-1', 'offset=-5', 'archived=2', 'limit=1.5']) assertError(await api('GET', `/api/conversations?${q}`), 400, 'VALIDATION_ERROR');
    assertError(await s.api('GET', '/api/conversations'), 401);
  });
});

describe('GET / PATCH / DELETE /api/conversations/:id', () => {
  it('GET unknown or malformed → 404, no token → 401', async () => {
    assertError(await api('GET', '/api/conversations/unknown'), 404);
    assertError(await api('GET', '/api/conversations/%2e%2e'), 404);
    assertError(await api('GET', `/api/conversations/${'z'.repeat(300)}`), 404);
    assertError(await s.api('GET', '/api/conversations/m-conv'), 401);
  });

  it('PATCH changes fields, merges metadata, bumps updatedAt → { success, conversation }', async () => {
    const before = (await api('GET', '/api/conversations/Client_id-1')).body.conversation;
    await sleep(5);
    const r = await api('PATCH', '/api/conversations/Client_id-1', { title: 'New', mode: 'm', model: 'mm', provider: 'pp', isFavorite: true, isPinned: true, metadata: { a: 1 } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.body).sort(), ['conversation', 'success']);
    const c = r.body.conversation;
    assert.deepEqual([c.title, c.mode, c.model, c.provider, c.isFavorite, c.isPinned, c.isArchived], ['New', 'm', 'mm', 'pp', true, true, false]);
    assert.deepEqual(c.metadata, { a: 1 });
    assert.ok(c.updatedAt > before.updatedAt);
    assert.equal(c.createdAt, before.createdAt);
    assert.deepEqual((await api('PATCH', '/api/conversations/Client_id-1', { metadata: { b: 2 } })).body.conversation.metadata, { a: 1, b: 2 });
  });

  it('PATCH 400 on wrong types, 404 on unknown, 401 without token', async () => {
    assertError(await api('PATCH', '/api/conversations/Client_id-1', { isFavorite: 'yes' }), 400, 'VALIDATION_ERROR');
    assertError(await api('PATCH', '/api/conversations/Client_id-1', { metadata: 'x' }), 400, 'VALIDATION_ERROR');
    assertError(await api('PATCH', '/api/conversations/unknown', { title: 'x' }), 404);
    assertError(await s.api('PATCH', '/api/conversations/Client_id-1', { body: { title: 'x' } }), 401);
  });

  it('DELETE removes the conversation and its messages; the id can be used again, empty', async () => {
    const r = await api('DELETE', '/api/conversations/m-conv');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { success: true });
    assertError(await api('GET', '/api/conversations/m-conv'), 404);
    assertError(await api('PATCH', '/api/messages/mine-1', { content: 'x' }), 404);
    assertError(await api('DELETE', '/api/conversations/m-conv'), 404);
    assert.equal((await api('POST', '/api/conversations', { id: 'm-conv' })).status, 201);
    const g = (await api('GET', '/api/conversations/m-conv')).body;
    assert.deepEqual(g.messages, []);
    assert.equal(g.conversation.messageCount, 0);
    // The deleted message ids are free again.
    assert.equal((await api('POST', '/api/messages', { id: 'mine-1', conversationId: 'm-conv', role: 'user', content: 'x' })).status, 201);
    assertError(await s.api('DELETE', '/api/conversations/m-conv'), 401);
  });
});

it('the preview follows the newest message when it is edited or deleted', async () => {
  const { startServer } = await import('../helpers/server.ts');
  const srv = await startServer();
  try {
    const u = await srv.signup();
    await srv.api('POST', '/api/conversations', { token: u.token, body: { id: 'pv' } });
    await srv.api('POST', '/api/messages', { token: u.token, body: { id: 'm1', conversationId: 'pv', role: 'user', content: 'first words' } });
    await srv.api('POST', '/api/messages', { token: u.token, body: { id: 'm2', conversationId: 'pv', role: 'assistant', content: 'second words' } });
    const preview = async () => (await srv.api('GET', '/api/conversations', { token: u.token })).body.conversations.find((c: any) => c.id === 'pv').preview;
    assert.equal(await preview(), 'second words');
    await srv.api('PATCH', '/api/messages/m2', { token: u.token, body: { content: 'second, edited' } });
    assert.equal(await preview(), 'second, edited');
    await srv.api('DELETE', '/api/messages/m2', { token: u.token });
    assert.equal(await preview(), 'first words');
  } finally {
    await srv.dispose();
  }
});

it('a newest message holding a NUL, a lone surrogate or an escape still lists, with its preview (PostgreSQL: `json -> field` refuses the first two)', async () => {
  const { startServer } = await import('../helpers/server.ts');
  const srv = await startServer();
  try {
    const u = await srv.signup();
    const contents = ['nul \u0000 inside', 'lone \ud800 surrogate', 'ansi \u001b[1m bold', 'a path C:\\users\\me', 'plain words'];
    for (const [i, content] of contents.entries()) {
      await srv.api('POST', '/api/conversations', { token: u.token, body: { id: `odd-${i}` } });
      const m = await srv.api('POST', '/api/messages', { token: u.token, body: { conversationId: `odd-${i}`, role: 'user', content } });
      assert.equal(m.status, 201, m.text);
    }
    for (const path of ['/api/conversations', '/api/channels']) {
      const r = await srv.api('GET', path, { token: u.token });
      assert.equal(r.status, 200, `${path}: ${r.text}`);
    }
    const listed = (await srv.api('GET', '/api/conversations', { token: u.token })).body.conversations;
    for (const [i, content] of contents.entries()) {
      const c = listed.find((x: any) => x.id === `odd-${i}`);
      assert.equal(c?.preview, content, `preview of ${JSON.stringify(content)}`);
      assert.equal(c.messageCount, 1);
    }
  } finally {
    await srv.dispose();
  }
});

it('a conversation read again and again follows every change: title, flags, a new, edited or deleted message — and stays its owner’s', async () => {
  const { startServer } = await import('../helpers/server.ts');
  const srv = await startServer();
  try {
    const u = await srv.signup();
    const other = await srv.signup();
    const get = async (token = u.token) => srv.api('GET', '/api/conversations/rr', { token });
    await srv.api('POST', '/api/conversations', { token: u.token, body: { id: 'rr', title: 'one' } });
    await srv.api('POST', '/api/messages', { token: u.token, body: { id: 'rr1', conversationId: 'rr', role: 'user', content: 'hello' } });
    const first = (await get()).text;
    assert.equal((await get()).text, first, 'an unchanged conversation reads the same');
    // The messages stay the same here; only the record changes, so the cached body must not be reused.
    await srv.api('PATCH', '/api/conversations/rr', { token: u.token, body: { title: 'two', isPinned: true } });
    const renamed = (await get()).body;
    assert.equal(renamed.conversation.title, 'two');
    assert.equal(renamed.conversation.isPinned, true);
    assert.deepEqual(renamed.messages.map((m: any) => m.content), ['hello']);
    await srv.api('POST', '/api/messages', { token: u.token, body: { id: 'rr2', conversationId: 'rr', role: 'assistant', content: 'hi' } });
    assert.deepEqual((await get()).body.messages.map((m: any) => m.content), ['hello', 'hi']);
    await srv.api('PATCH', '/api/messages/rr1', { token: u.token, body: { content: 'hello, edited' } });
    const edited = (await get()).body;
    assert.deepEqual(edited.messages.map((m: any) => [m.content, m.isEdited]), [['hello, edited', true], ['hi', false]]);
    await srv.api('DELETE', '/api/messages/rr2', { token: u.token });
    const after = (await get()).body;
    assert.deepEqual(after.messages.map((m: any) => m.id), ['rr1']);
    assert.equal(after.conversation.messageCount, 1);
    assert.equal((await get(other.token)).status, 404, 'another user never reads it, cached or not');
  } finally {
    await srv.dispose();
  }
});
