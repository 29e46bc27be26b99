/**
 * `GET /api/approvals?conversation=<id>` (issue #18: a reopened conversation gets its approve/deny buttons back): the
 * caller's parked tool calls with what the `approval` event carried; answered, refused or another user's → not listed;
 * another user's conversation id is the same 404 as an unknown one; bad input is a coded 400; no token is a 401.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TestServer } from '../helpers/server.ts';
import { clientChat, eventually } from './aion-client-stream.ts';
import { startApprovalServer } from './approval-server.ts';

let s: TestServer;
let alice: string;
let bob: string;

before(async () => {
  ({ s, alice, bob } = await startApprovalServer());
});
after(() => s.dispose());

async function newConversation(token: string): Promise<string> {
  const r = await s.api('POST', '/api/reset', { token });
  assert.equal(r.status, 200, r.text);
  return r.body.conversationId;
}

/** Park `danger` in a new conversation of Alice's; the approval frame as the stream sent it. */
async function park(args: Record<string, unknown>) {
  const conversationId = await newConversation(alice);
  const r = await clientChat(s.url, alice, { message: `/tool danger ${JSON.stringify(args)}`, conversationId });
  const approval = r.frames.find((f) => f.type === 'approval');
  assert.ok(approval, 'the turn parked');
  return { conversationId, approval };
}

const list = (token: string, query = '') => s.api('GET', `/api/approvals${query}`, { token });

test('a parked call is listed with what the approval event carried, by conversation and in all of them', async () => {
  const { conversationId, approval } = await park({ x: 1 });
  const r = await list(alice, `?conversation=${conversationId}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.approvals.length, 1);
  const [item] = r.body.approvals;
  assert.deepEqual({ id: item.id, name: item.name, args: item.args, message: item.message, conversationId: item.conversationId }, {
    id: approval.id, name: 'danger', args: { x: 1 }, message: approval.message, conversationId,
  });
  assert.equal(typeof item.parkedAt, 'number');
  const all = await list(alice);
  assert.ok(all.body.approvals.some((a: any) => a.id === approval.id));
  // Answered through the approve route: no longer listed.
  assert.equal((await s.api('POST', '/api/chat/approve', { token: alice, body: { id: approval.id, approved: true } })).status, 200);
  assert.deepEqual((await list(alice, `?conversation=${conversationId}`)).body.approvals, []);
  await eventually(async () => {
    const messages = (await s.api('GET', `/api/conversations/${conversationId}`, { token: alice })).body.messages ?? [];
    return JSON.stringify(messages).includes('"done":true');
  });
});

test('a call refused by another message, or one of a conversation with none, lists nothing', async () => {
  const { conversationId } = await park({});
  await clientChat(s.url, alice, { message: 'something else', conversationId });
  assert.deepEqual((await list(alice, `?conversation=${conversationId}`)).body.approvals, []);
  const quiet = await newConversation(alice);
  assert.deepEqual((await list(alice, `?conversation=${quiet}`)).body.approvals, []);
});

test("another user never sees or answers Alice's parked call: her conversation is a 404 to them, their list is empty", async () => {
  const { conversationId, approval } = await park({ secret: 'alice-only' });
  let attempts = 0;
  let through = 0;
  const probes = [`?conversation=${conversationId}`, `?conversation=${encodeURIComponent(conversationId)}`, ''];
  for (const q of probes) {
    attempts++;
    const r = await list(bob, q);
    if (r.text.includes(approval.id) || r.text.includes('alice-only')) through++;
    if (q) assert.deepEqual([r.status, r.body.code], [404, 'CONVERSATION_NOT_FOUND'], r.text);
    else assert.deepEqual(r.body.approvals, []);
  }
  // The same 404 as a conversation that does not exist: nothing tells Bob the id is taken.
  const unknown = await list(bob, '?conversation=no-such-conversation');
  assert.deepEqual([unknown.status, unknown.body.code, unknown.body.error], [404, 'CONVERSATION_NOT_FOUND', 'Conversation not found']);
  attempts++;
  const answer = await s.api('POST', '/api/chat/approve', { token: bob, body: { id: approval.id, approved: true } });
  if (answer.status < 400) through++;
  assert.equal(answer.status, 404);
  assert.equal((await list(alice, `?conversation=${conversationId}`)).body.approvals.length, 1, 'still waiting for Alice');
  assert.equal(through, 0, `${through} of ${attempts} attempts reached Alice's approval`);
});

test('no token is a 401; a bad conversation parameter is a coded 400', async () => {
  const anonymous = await s.api('GET', '/api/approvals?conversation=x');
  assert.equal(anonymous.status, 401);
  for (const q of ['?conversation=', `?conversation=${'a'.repeat(201)}`, '?conversation=a&conversation=b']) {
    const r = await list(alice, q);
    assert.equal(r.status, 400, `${q}: ${r.text}`);
    assert.equal(typeof r.body.code, 'string');
    assert.equal(typeof r.body.error, 'string');
  }
});
