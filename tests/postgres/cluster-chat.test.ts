/**
 * Turns across two instances on one database: a conversation made on A takes a message on B; `POST /api/stop` on B
 * stops a turn streaming on A (and says so: `stopped: true`); a tool approval parked on A is answered on B (by the button route and by "ja"), exactly
 * once; an expired one is denied everywhere; a free user's 10 messages an hour are counted across both.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readSse } from '../helpers/server.ts';
import { clientChat } from '../core/aion-client-stream.ts';
import { approvalPlugins } from '../core/approval-server.ts';
import { eventually, startPair, type Pair } from './cluster-pair.ts';

let pair: Pair;
let admin: string;
before(async () => {
  pair = await startPair({ PLUGINS_DIRS: approvalPlugins({ heldTurn: true }), ECHO_DELAY_MS: '20' });
  admin = (await pair.a.signup()).token;
});
after(() => pair.close());

test('a conversation made on A takes a message on B, and A reads both', async () => {
  const { a, b } = pair;
  assert.equal((await a.api('POST', '/api/conversations', { token: admin, body: { id: 'shared-conv', title: 'Across' } })).status, 201);
  assert.equal((await a.api('POST', '/api/messages', { token: admin, body: { conversationId: 'shared-conv', role: 'user', content: 'from A' } })).status, 201);
  const m = await b.api('POST', '/api/messages', { token: admin, body: { conversationId: 'shared-conv', role: 'user', content: 'from B' } });
  assert.equal(m.status, 201, m.text);
  const read = await a.api('GET', '/api/conversations/shared-conv', { token: admin });
  assert.deepEqual(read.body.messages.map((x: any) => x.content), ['from A', 'from B']);
});

test('POST /api/stop on B stops the turn streaming on A', async () => {
  const { a, b } = pair;
  const words = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
  let asked = false;
  let stopAnswer: unknown;
  const idle = await b.api('POST', '/api/stop', { token: admin });
  assert.deepEqual(idle.body, { ok: true, stopped: false }, 'nothing runs anywhere yet');
  const r = await readSse(`${a.url}/api/chat`, {
    token: admin,
    body: { message: words },
    onEvent: async (e, all) => {
      if (e.event === 'token' && all.filter((x) => x.event === 'token').length === 3 && !asked) {
        asked = true;
        const st = await b.api('POST', '/api/stop', { token: admin });
        assert.equal(st.status, 200, st.text);
        stopAnswer = st.body;
      }
    },
  });
  const done = r.events.at(-1)!;
  assert.equal(done.event, 'done');
  assert.equal(done.data.cancelled, true, 'the turn on A was cancelled by the stop on B');
  assert.ok(r.events.filter((e) => e.event === 'token').length < 300);
  assert.deepEqual(stopAnswer, { ok: true, stopped: true }, "B's answer counts the turn it stopped on A");
});

test('an approval parked on A is answered on B by the button route; a second answer on A finds nothing', async () => {
  const { a, b } = pair;
  const parked = await clientChat(a.url, admin, { message: '/tool danger {"x":1}', conversationId: 'approve-1' });
  const approval = parked.frames.find((f) => f.type === 'approval')!;
  assert.ok(approval?.id, JSON.stringify(parked.frames.slice(-3)));
  assert.equal(parked.frames.at(-1)!.approval_pending, true);
  const yes = await b.api('POST', '/api/chat/approve', { token: admin, body: { id: approval.id, approved: true } });
  assert.equal(yes.status, 200, yes.text);
  const twice = await a.api('POST', '/api/chat/approve', { token: admin, body: { id: approval.id, approved: true } });
  assert.equal(twice.status, 404, 'answered once, on any instance');
  // The turn continued (on B) and its tool result is in the conversation, readable on A.
  await eventually(async () => {
    const c = await a.api('GET', '/api/conversations/approve-1', { token: admin });
    return JSON.stringify(c.body.messages ?? []).includes('\\"done\\":true');
  }, 'the approved tool result in the conversation');
});

test('"ja" sent to B continues the turn parked on A in B\'s stream; another user cannot answer it', async () => {
  const { a, b } = pair;
  const parked = await clientChat(a.url, admin, { message: '/tool danger {"y":2}', conversationId: 'approve-2' });
  const approval = parked.frames.find((f) => f.type === 'approval')!;
  const stranger = await b.signup();
  const theirs = await b.api('POST', '/api/chat/approve', { token: stranger.token, body: { id: approval.id, approved: true } });
  assert.equal(theirs.status, 404, 'another user\'s approval id is simply not found');
  const ja = await clientChat(b.url, admin, { message: 'ja', conversationId: 'approve-2' });
  const result = ja.frames.find((f) => f.type === 'tool_result');
  assert.equal(result?.call_id, approval.id);
  assert.equal(result?.ok, true);
});

test('a call announced on A and not parked yet is answered on B once A parks it; another user still gets a 404', async () => {
  const { a, b } = pair;
  const finished = a.api('POST', '/api/test/held-chat', { token: admin, body: { message: '/tool danger {}', conversationId: 'approve-held' } });
  const id: string = await eventually(async () => (await a.api('GET', '/api/test/held', { token: admin })).body.ids?.[0], 'the turn held on A');
  // A told B before the frame left; B treats the call as pending while A has not parked it.
  await eventually(async () => (await b.api('GET', `/api/test/pending/${id}`, { token: admin })).body.pending === true, 'B heard of the call');
  const stranger = await b.signup();
  const theirs = await b.api('POST', '/api/chat/approve', { token: stranger.token, body: { id, approved: true } });
  assert.deepEqual([theirs.status, theirs.body.code], [404, 'APPROVAL_NOT_FOUND'], 'another user\'s id is not found, announced or not');
  const yes = b.api('POST', '/api/chat/approve', { token: admin, body: { id, approved: true } });
  assert.equal((await a.api('POST', `/api/test/release/${id}`, { token: admin })).body.released, true);
  const answered = await yes;
  assert.equal(answered.status, 200, answered.text);
  await finished;
  await eventually(async () => {
    const c = await a.api('GET', '/api/conversations/approve-held', { token: admin });
    return JSON.stringify(c.body.messages ?? []).includes('\\"done\\":true');
  }, 'the approved tool result in the conversation');
  assert.equal((await a.api('POST', '/api/chat/approve', { token: admin, body: { id, approved: true } })).status, 404, 'answered once');
});

test('an approval whose arguments hold a NUL and a lone surrogate parks on A and is answered on B (a tool call may carry any text)', async () => {
  const { a, b } = pair;
  const parked = await clientChat(a.url, admin, { message: '/tool danger {"x":"nul \\u0000 and lone \\ud800"}', conversationId: 'approve-odd' });
  const approval = parked.frames.find((f) => f.type === 'approval')!;
  assert.ok(approval?.id, JSON.stringify(parked.frames.slice(-3)));
  assert.equal(parked.frames.at(-1)!.approval_pending, true);
  const yes = await b.api('POST', '/api/chat/approve', { token: admin, body: { id: approval.id, approved: true } });
  assert.equal(yes.status, 200, yes.text);
  assert.equal((await a.api('POST', '/api/chat/approve', { token: admin, body: { id: approval.id, approved: true } })).status, 404, 'answered once');
});

test('an approval that expired is denied on every instance', async () => {
  const { a, b } = pair;
  const set = await a.api('POST', '/api/config/settings', { token: admin, body: { approval_timeout_ms: 1000 } });
  assert.equal(set.status, 200, set.text);
  await eventually(async () => (await b.api('GET', '/api/config', { token: admin })).body?.settings?.approval_timeout_ms === 1000, 'the setting on B');
  const parked = await clientChat(b.url, admin, { message: '/tool danger {}', conversationId: 'approve-3' });
  const approval = parked.frames.find((f) => f.type === 'approval')!;
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await a.api('POST', '/api/chat/approve', { token: admin, body: { id: approval.id, approved: true } })).status, 404);
  assert.equal((await b.api('POST', '/api/chat/approve', { token: admin, body: { id: approval.id, approved: true } })).status, 404);
  await a.api('POST', '/api/config/settings', { token: admin, body: { approval_timeout_ms: 120000 } });
});

test("a free user's 10 messages an hour are counted across both instances", async () => {
  const { a, b } = pair;
  const free = await a.signup();
  assert.equal(free.user.plan, 'free');
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) statuses.push((await clientChat(i % 2 ? a.url : b.url, free.token, { message: `m${i}` })).status);
  assert.deepEqual(statuses, Array(10).fill(200));
  const overA = await clientChat(a.url, free.token, { message: 'eleventh' });
  const overB = await clientChat(b.url, free.token, { message: 'twelfth' });
  assert.equal(overA.status, 429, 'the 11th on A');
  assert.equal(overB.status, 429, 'the 12th on B');
  // Concurrent bursts on both instances cannot take more than the hour allows either.
  const burst = await a.signup();
  const all = await Promise.all(Array.from({ length: 16 }, (_, i) => clientChat(i % 2 ? a.url : b.url, burst.token, { message: `b${i}` })));
  const through = all.filter((r) => r.status === 200).length;
  assert.equal(through, 10, `got through: ${through} of 16`);
  const usage = await b.api('GET', '/api/auth/me', { token: free.token });
  assert.equal(usage.status, 200);
});

test('a memory written on A is found on B at once (no waiting), and a delete on B is gone on A', async () => {
  const { token } = await pair.a.signup();
  const made = await pair.a.api('POST', '/api/memories', { token, body: { content: 'Keeps bees on the roof of the boathouse', importance: 6 } });
  assert.equal(made.status, 201, made.text);
  const found = await pair.b.api('GET', '/api/memory?search=boathouse', { token });
  assert.equal(found.status, 200, found.text);
  assert.equal(found.body.entries[0]?.content, 'Keeps bees on the roof of the boathouse');
  const id = found.body.entries[0].id;
  const gone = await pair.b.api('DELETE', `/api/memories/${encodeURIComponent(id)}`, { token });
  assert.ok(gone.status === 200 || gone.status === 204, gone.text);
  assert.equal((await pair.a.api('GET', '/api/memory?search=boathouse', { token })).body.total, 0);
});
