/** A restart keeps everything of the ALIN data API: conversations and messages, TBWOs and receipts, the self-model. */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import type { TestServer } from '../helpers/server.ts';
import { bootWithAdmin } from './helpers.ts';

let s: TestServer;
after(() => s?.dispose());

it('everything written before a restart reads back the same after it', async () => {
  const boot = await bootWithAdmin();
  s = boot.s;
  const admin = boot.admin;
  const call = async (m: string, p: string, body?: unknown) => {
    const r = await s.api(m, p, { token: admin.token, body });
    assert.ok(r.status < 300, `${m} ${p}: ${r.text}`);
    return r.body;
  };
  await call('POST', '/api/conversations', { id: 'keep', title: 'Kept', metadata: { x: 1 } });
  for (let i = 0; i < 20; i++) await call('POST', '/api/messages', { id: `k${i}`, conversationId: 'keep', role: i % 2 ? 'assistant' : 'user', content: [{ type: 'text', text: `t${i}` }], tokens: { input: i, output: i } });
  await call('PATCH', '/api/messages/k3', { content: 'edited' });
  await call('DELETE', '/api/messages/k4');
  await call('POST', '/api/conversations', { id: 'archived' });
  await call('PATCH', '/api/conversations/archived', { isArchived: true, isPinned: true });
  await call('POST', '/api/tbwos', { id: 'job', objective: 'o', timeBudgetMinutes: 45 });
  await call('PATCH', '/api/tbwo/job', { status: 'planning' });
  await call('PATCH', '/api/tbwo/job', { status: 'executing', progress: 40 });
  await call('POST', '/api/tbwo/job/receipts', { type: 'full', data: { a: 1 } });
  await call('POST', '/api/tbwo/job/receipts', { type: 'partial', free: 'x' });
  await call('POST', '/api/self-model/outcomes', { type: 'code_project', tbwoId: 'job', qualityScore: 8 });
  await call('POST', '/api/self-model/tool-reliability', { toolName: 'grep', success: false, errorReason: 'boom', duration: 12 });
  await call('POST', '/api/self-model/corrections', { original: 'a', corrected: 'b' });
  await call('POST', '/api/self-model/corrections', { original: 'a', corrected: 'b' });
  await call('POST', '/api/self-model/layer-memory', { layer: 'semantic', content: 'persisted fact', salience: 0.9 });
  await call('POST', '/api/self-model/layer-memory', { layer: 'short_term', content: 'short one' });

  const read = async () => ({
    list: await call('GET', '/api/conversations'),
    archived: await call('GET', '/api/conversations?archived=1'),
    keep: await call('GET', '/api/conversations/keep'),
    tbwos: await call('GET', '/api/tbwos'),
    job: await call('GET', '/api/tbwo/job'),
    receipts: await call('GET', '/api/tbwo/job/receipts'),
    outcomes: await call('GET', '/api/self-model/outcomes'),
    tools: await call('GET', '/api/self-model/tool-reliability'),
    corrections: await call('GET', '/api/self-model/corrections'),
    semantic: await call('GET', '/api/self-model/layer-memory?layer=semantic'),
    short: await call('GET', '/api/self-model/layer-memory'),
  });
  const before = await read();
  assert.equal(before.keep.messages.length, 19);
  assert.equal(before.receipts.receipts.length, 2);
  assert.equal(before.semantic.memories.length, 1);

  s = await s.restart();
  const afterRestart = await read();
  assert.deepEqual(afterRestart, before);
  // And the restarted server keeps working on the same data (ids still taken, edits still possible).
  assert.equal((await s.api('POST', '/api/messages', { token: admin.token, body: { id: 'k0', conversationId: 'keep', role: 'user', content: 'x' } })).status, 409);
  assert.equal((await s.api('PATCH', '/api/messages/k5', { token: admin.token, body: { content: 'after' } })).status, 200);
  const done = await s.api('PATCH', '/api/tbwo/job', { token: admin.token, body: { status: 'completed', progress: 100 } });
  assert.equal(done.status, 200, done.text);
  s = await s.restart();
  const job = (await s.api('GET', '/api/tbwo/job', { token: admin.token })).body.tbwo;
  assert.equal(job.status, 'completed', 'a finished TBWO reads finished after a restart');
  assert.equal(typeof job.completedAt, 'number');

  // The first writes after this restart bring no id of their own (the server makes one, with no look-up of the
  // user's other messages); ids made so, and those from before the restart, are still known to every later check.
  const post = (body: Record<string, unknown>) => s.api('POST', '/api/messages', { token: admin.token, body: { role: 'user', content: 'fresh', ...body } });
  const fresh = await post({ conversationId: 'archived' });
  assert.equal(fresh.status, 201, fresh.text);
  const second = await post({ conversationId: 'keep' });
  assert.equal(second.status, 201, second.text);
  assert.equal((await s.api('PATCH', `/api/messages/${fresh.body.id}`, { token: admin.token, body: { content: 'found' } })).status, 200);
  assert.equal((await post({ id: fresh.body.id, conversationId: 'keep' })).status, 409, 'a made id is taken in every conversation');
  assert.equal((await post({ id: second.body.id, conversationId: 'archived' })).status, 409);
  assert.equal((await post({ id: 'k1', conversationId: 'archived' })).status, 409, 'an id from before the restart is taken');
  const third = await post({ conversationId: 'archived' });
  assert.equal((await post({ id: third.body.id, conversationId: 'keep' })).status, 409, 'an id made once the index exists is taken');
  assert.equal((await s.api('DELETE', `/api/messages/${second.body.id}`, { token: admin.token })).status, 200);
  const archived = (await s.api('GET', '/api/conversations/archived', { token: admin.token })).body.messages;
  assert.deepEqual(archived.map((m: { content: string }) => m.content), ['found', 'fresh']);
});
