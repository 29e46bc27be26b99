/**
 * SIGKILL in the middle of 1,000 concurrent message writes (50 in flight, two users, ten conversations): after a
 * restart every message that was answered 201 is there, once, and the server goes on working with the data.
 */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import type { TestServer } from '../helpers/server.ts';
import { bootWithAdmin, type Account } from './helpers.ts';

const TOTAL = 1000;
const IN_FLIGHT = 50;
const KILL_AFTER = 450;

let s: TestServer;
after(() => s?.dispose());

it(`every acknowledged write of ${TOTAL} survives a SIGKILL`, { timeout: 120_000 }, async () => {
  const boot = await bootWithAdmin();
  s = boot.s;
  const users: Account[] = [boot.admin, await s.signup()];
  const targets: Array<{ user: Account; conv: string }> = [];
  for (const user of users) {
    for (let c = 0; c < 5; c++) {
      const conv = `crash-${c}`;
      assert.equal((await s.api('POST', '/api/conversations', { token: user.token, body: { id: conv } })).status, 201);
      targets.push({ user, conv });
    }
  }

  const acked = new Map<string, { user: Account; conv: string }>();
  let failed = 0;
  let killing: Promise<void> | undefined;
  let next = 0;
  const server = s;
  const worker = async () => {
    while (next < TOTAL) {
      const n = next++;
      const target = targets[n % targets.length];
      const id = `w${n}`;
      try {
        const r = await server.api('POST', `/api/conversations/${target.conv}/messages`, {
          token: target.user.token,
          body: { id, role: n % 2 ? 'assistant' : 'user', content: [{ type: 'text', text: `message ${n}` }], tokensInput: n, tokensOutput: 1 },
        });
        if (r.status === 201) acked.set(id, target);
        else failed++;
      } catch {
        failed++; // the connection died with the server
      }
      if (acked.size >= KILL_AFTER && !killing) killing = server.kill();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  await killing;
  assert.ok(killing, 'the server was killed during the run');
  assert.ok(acked.size >= KILL_AFTER && acked.size < TOTAL, `acknowledged ${acked.size}, failed ${failed}`);

  s = await s.restart();
  const seen = new Map<string, string>();
  for (const { user, conv } of targets) {
    const r = await s.api('GET', `/api/conversations/${conv}`, { token: user.token });
    assert.equal(r.status, 200, r.text);
    for (const m of r.body.messages) {
      assert.ok(!seen.has(`${user.user.id}/${m.id}`), `message ${m.id} stored twice`);
      seen.set(`${user.user.id}/${m.id}`, conv);
      assert.equal(m.content[0].text, `message ${m.id.slice(1)}`, 'content intact');
    }
    const listed = (await s.api('GET', '/api/conversations', { token: user.token })).body.conversations.find((c: any) => c.id === conv);
    const ackedHere = [...acked.values()].filter((t) => t.user === user && t.conv === conv).length;
    assert.ok(listed.messageCount >= ackedHere, `${conv}: messageCount ${listed.messageCount} < ${ackedHere} acknowledged`);
  }
  const lost = [...acked].filter(([id, t]) => seen.get(`${t.user.user.id}/${id}`) !== t.conv).map(([id]) => id);
  assert.deepEqual(lost, [], `${lost.length} acknowledged messages lost`);

  // The restarted server knows the ids (409 on reuse), edits them, and takes new writes.
  const [someId, t] = [...acked][0];
  assert.equal((await s.api('POST', '/api/messages', { token: t.user.token, body: { id: someId, conversationId: t.conv, role: 'user', content: 'x' } })).status, 409);
  assert.equal((await s.api('PATCH', `/api/messages/${someId}`, { token: t.user.token, body: { content: 'edited' } })).status, 200);
  assert.equal((await s.api('POST', '/api/messages', { token: t.user.token, body: { conversationId: t.conv, role: 'user', content: 'after' } })).status, 201);
});
