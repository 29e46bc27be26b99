/**
 * An approval answered the moment it is announced (issue #16): the SSE writer sends the first frame after a quiet spell
 * at once, so a client can answer an `approval` frame before the service has parked its turn. Such an answer waits for
 * the park and continues the turn — by the button route and by "ja" — while an unknown id or another user's id is
 * still a 404 APPROVAL_NOT_FOUND at once, and another user never sees the call as pending.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readSse, type TestServer } from '../helpers/server.ts';
import { clientChat, eventually } from './aion-client-stream.ts';
import { startApprovalServer } from './approval-server.ts';

let s: TestServer;
let alice: string;
let bob: string;

before(async () => {
  ({ s, alice, bob } = await startApprovalServer({ heldTurn: true, emails: ['alice-early@example.com', 'bob-early@example.com'] }));
});
after(() => s.dispose());

const approve = (token: string, id: string, approved = true) => s.api('POST', '/api/chat/approve', { token, body: { id, approved } });
const ranDanger = async (conversationId: string) =>
  eventually(async () => JSON.stringify((await s.api('GET', `/api/conversations/${conversationId}`, { token: alice })).body.messages ?? []).includes('"done":true'));

/** Start a held turn of Alice's; resolves with the announced call id once the turn is held at its approval. */
async function holdTurn(conversationId: string) {
  const finished = s.api('POST', '/api/test/held-chat', { token: alice, body: { message: '/tool danger {}', conversationId } });
  const id = await eventually(async () => (await s.api('GET', '/api/test/held', { token: alice })).body.ids?.[0] as string | undefined);
  return { id, finished };
}

test('an approve sent the moment the approval frame arrives continues the turn (5 streams)', async () => {
  for (let i = 0; i < 5; i++) {
    const conversationId = `instant-${i}`;
    let answer: Promise<{ status: number; text: string }> | undefined;
    const r = await readSse(`${s.url}/api/chat`, {
      token: alice,
      body: { message: '/tool danger {}', conversationId },
      onEvent: (e) => {
        if (e.event === 'approval') answer = approve(alice, e.data.id);
      },
    });
    assert.equal(r.events.at(-1)?.data.approval_pending, true);
    assert.ok(answer, 'the stream sent an approval frame');
    const a = await answer;
    assert.equal(a.status, 200, a.text);
    await ranDanger(conversationId);
  }
});

test('an answer to a call announced but not parked waits for the park; unknown and other users\' ids are 404 at once', async () => {
  const { id, finished } = await holdTurn('held-1');
  // The attacks, while the call is announced and not parked: none may find it, none may wait for it.
  let attempts = 0;
  let through = 0;
  for (const [token, probe] of [[bob, id], [alice, `${id}x`], [alice, 'toolu_unknown'], [bob, 'toolu_unknown']] as const) {
    attempts++;
    const r = await approve(token, probe);
    if (r.status !== 404 || r.body.code !== 'APPROVAL_NOT_FOUND') through++;
  }
  attempts++;
  if ((await s.api('GET', `/api/test/pending/${id}`, { token: bob })).body.pending !== false) through++;
  assert.equal(through, 0, `${through} of ${attempts} attacks got through`);
  assert.equal((await s.api('GET', `/api/test/pending/${id}`, { token: alice })).body.pending, true, 'announced = pending for its owner');
  // Alice's own answer waits for the park, which comes when the turn goes on.
  const answer = approve(alice, id);
  assert.equal((await s.api('POST', `/api/test/release/${id}`, { token: alice })).body.released, true);
  const a = await answer;
  assert.equal(a.status, 200, a.text);
  assert.ok((await finished).body.types.includes('approval'));
  await ranDanger('held-1');
  // Answered: a second answer finds nothing.
  assert.equal((await approve(alice, id)).status, 404);
});

test('"ja" sent while the call is announced but not parked answers it in its own stream', async () => {
  const { id, finished } = await holdTurn('held-2');
  const ja = clientChat(s.url, alice, { message: 'ja', conversationId: 'held-2' });
  await s.api('POST', `/api/test/release/${id}`, { token: alice });
  await finished;
  const r = await ja;
  const result = r.frames.find((f) => f.type === 'tool_result');
  assert.equal(result?.call_id, id, JSON.stringify(r.frames.map((f) => f.type)));
  assert.equal(result?.ok, true);
});
