/**
 * SIGKILL of one instance while clients write through it loses nothing it acknowledged: every message answered 201
 * by A before it died is read back from B (one database, one DATA_DIR).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startPair, type Pair } from './cluster-pair.ts';

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(() => pair.close());

test('writes acknowledged by A before its SIGKILL are all on B', async () => {
  const { a, b } = pair;
  const u = await a.signup();
  const conversations = ['crash-1', 'crash-2', 'crash-3', 'crash-4'];
  for (const id of conversations) assert.equal((await a.api('POST', '/api/conversations', { token: u.token, body: { id } })).status, 201);
  const acked = new Map<string, string[]>(conversations.map((id) => [id, []]));
  let n = 0;
  let killed = false;
  const writer = async (conversationId: string) => {
    while (!killed) {
      const content = `msg-${n++}`;
      try {
        const r = await a.api('POST', '/api/messages', { token: u.token, body: { conversationId, role: 'user', content } });
        if (r.status === 201) acked.get(conversationId)!.push(content);
      } catch {
        return; // the connection died with the process: not acknowledged
      }
    }
  };
  const writers = conversations.map(writer);
  while ([...acked.values()].reduce((s, l) => s + l.length, 0) < 80) await new Promise((r) => setTimeout(r, 5));
  await a.kill();
  killed = true;
  await Promise.all(writers);
  let total = 0;
  for (const id of conversations) {
    const read = await b.api('GET', `/api/conversations/${id}`, { token: u.token });
    assert.equal(read.status, 200, read.text);
    const stored = new Set(read.body.messages.map((m: any) => m.content));
    const lost = acked.get(id)!.filter((c) => !stored.has(c));
    assert.deepEqual(lost, [], `acknowledged but lost in ${id}`);
    total += acked.get(id)!.length;
  }
  assert.ok(total >= 80);
});
