/**
 * One acknowledged create per id (issue #11 item 4). The attack: 20 concurrent creates with one client id. Exactly one
 * may get 201; the other nineteen get 409 `ALREADY_EXISTS` JSON, and one object is stored — for memories, and the same
 * for conversations, messages and TBWOs, which go through the store's atomic create-if-absent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServer, type ApiResponse } from '../helpers/server.ts';

const N = 20;

function tally(responses: ApiResponse[]): { created: number; conflicts: number; other: string[] } {
  const other: string[] = [];
  let created = 0;
  let conflicts = 0;
  for (const r of responses) {
    if (r.status === 201) created++;
    else if (r.status === 409 && r.body?.code === 'ALREADY_EXISTS' && typeof r.body.error === 'string') conflicts++;
    else other.push(`${r.status} ${r.text.slice(0, 120)}`);
  }
  return { created, conflicts, other };
}

test('20 concurrent POST /api/memories with one id: one 201, nineteen 409, one memory stored (also after a restart)', async () => {
  const s = await startServer();
  try {
    const { token } = await s.signup();
    const responses = await Promise.all(
      Array.from({ length: N }, (_, i) => s.api('POST', '/api/memories', { token, body: { id: 'same-id', content: `attempt ${i}`, layer: 'long_term' } })),
    );
    const t = tally(responses);
    assert.deepEqual(t.other, []);
    assert.equal(t.created, 1, `${t.created} of ${N} creates were acknowledged`);
    assert.equal(t.conflicts, N - 1);
    const winner = responses.find((r) => r.status === 201)!.body.memory.content;
    const list = await s.api('GET', '/api/memories', { token });
    assert.equal(list.body.total, 1);
    assert.equal(list.body.memories[0].content, winner, 'the stored memory is the acknowledged one');
    const s2 = await s.restart();
    try {
      const after = await s2.api('GET', '/api/memories', { token });
      assert.equal(after.body.total, 1);
      assert.equal(after.body.memories[0].content, winner);
      // A later create with the id is still refused; a create with a new id works.
      assert.equal((await s2.api('POST', '/api/memories', { token, body: { id: 'same-id', content: 'late' } })).status, 409);
      assert.equal((await s2.api('POST', '/api/memories', { token, body: { id: 'other-id', content: 'fine' } })).status, 201);
    } finally {
      await s2.dispose();
    }
  } finally {
    await s.dispose();
  }
});

test('20 concurrent creates with one id of a conversation, a message and a TBWO: one 201 each, the rest 409', async () => {
  const s = await startServer();
  try {
    const { token } = await s.signup(); // the first account: enterprise, so TBWOs are allowed
    const burst = (p: string, body: (i: number) => unknown) => Promise.all(Array.from({ length: N }, (_, i) => s.api('POST', p, { token, body: body(i) })));

    const convs = tally(await burst('/api/conversations', (i) => ({ id: 'conv-1', title: `t${i}` })));
    assert.deepEqual([convs.created, convs.conflicts, convs.other], [1, N - 1, []], 'conversations');
    assert.equal((await s.api('GET', '/api/conversations', { token })).body.conversations.length, 1);

    const msgs = tally(await burst('/api/conversations/conv-1/messages', (i) => ({ id: 'msg-1', role: 'user', content: `m${i}` })));
    assert.deepEqual([msgs.created, msgs.conflicts, msgs.other], [1, N - 1, []], 'messages');
    assert.equal((await s.api('GET', '/api/conversations/conv-1', { token })).body.conversation.messageCount, 1);

    const tbwos = tally(await burst('/api/tbwos', (i) => ({ id: 'tbwo-1', objective: `o${i}` })));
    assert.deepEqual([tbwos.created, tbwos.conflicts, tbwos.other], [1, N - 1, []], 'tbwos');
    assert.equal((await s.api('GET', '/api/tbwos', { token })).body.tbwos.length, 1);
  } finally {
    await s.dispose();
  }
});
