/**
 * TBWOs as the original client sends and reads them: its serialised record (pods as Map entries, receipts with
 * podReceipts entries), its debounced PATCHes that jump statuses (draft → completed), `paused_waiting_for_user`, the
 * engine's `execution_state` snapshot, and the fields `dbInit.ts` rebuilds Maps from — also after a restart.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { TestServer } from '../helpers/server.ts';
import { bootWithAdmin, userOnPlan, type Account } from './helpers.ts';

let s: TestServer;
let admin: Account;
let pro: Account;
before(async () => {
  ({ s, admin } = await bootWithAdmin());
  pro = await userOnPlan(s, admin, 'pro');
});
after(() => s.dispose());
const as = (who: Account) => (method: string, path: string, body?: unknown) => s.api(method, path, { token: who.token, body });

/** The body the client's store writes (its `_serializeTBWOForDb`): every field, Maps as entry arrays. */
function clientBody(id: string, over: Record<string, unknown> = {}) {
  const now = Date.now();
  return {
    id, type: 'website_sprint', status: 'draft', objective: 'Landing page', timeBudgetTotal: 30, qualityTarget: 'premium',
    scope: { allowedOperations: ['read', 'write'], workingDirectory: '/w', maxConcurrentPods: 3 },
    plan: { summary: 'plan', confidence: 0.8, phases: [{ id: 'ph1', name: 'Design' }], podStrategy: { mode: 'parallel', dependencies: [['pod-b', ['pod-a']]] } },
    pods: [['pod-a', { id: 'pod-a', role: 'design', status: 'idle' }], ['pod-b', { id: 'pod-b', role: 'frontend', status: 'idle' }]],
    activePods: ['pod-a'], artifacts: [{ id: 'art1', name: 'index.html' }], checkpoints: [{ id: 'c1', status: 'pending' }],
    authorityLevel: 'guided', progress: 0, receipts: null, chatConversationId: 'conv-9', metadata: { source: 'wizard' },
    createdAt: now - 1000, updatedAt: now - 1000,
    // Fields of the TBWO type the serializer does not list but other code paths send.
    permissionGates: [{ id: 'g1', requiresApproval: true }], pauseRequests: [], contractId: 'contract-1',
    ...over,
  };
}

/** What `dbInit.ts` does with a listed TBWO: rebuild Maps and Sets from the arrays. Throws if a shape is wrong. */
function reconstitute(t: any) {
  return {
    ...t,
    pods: new Map(Array.isArray(t.pods) ? t.pods : []),
    activePods: new Set(Array.isArray(t.activePods) ? t.activePods : []),
    plan: t.plan ? { ...t.plan, podStrategy: { ...t.plan.podStrategy, dependencies: new Map(t.plan.podStrategy?.dependencies ?? []) } } : t.plan,
    receipts: t.receipts ? { ...t.receipts, podReceipts: new Map(Array.isArray(t.receipts.podReceipts) ? t.receipts.podReceipts : []) } : t.receipts,
  };
}

it('create stores every field the client sends and reads back in the shape dbInit.ts rebuilds', async () => {
  const body = clientBody('tb-1');
  const r = await as(pro)('POST', '/api/tbwo', body);
  assert.equal(r.status, 201, r.text);
  const listed = (await as(pro)('GET', '/api/tbwo?limit=100&offset=0')).body.tbwos.find((t: any) => t.id === 'tb-1');
  for (const k of ['type', 'status', 'objective', 'qualityTarget', 'scope', 'plan', 'pods', 'activePods', 'artifacts', 'checkpoints', 'authorityLevel', 'chatConversationId', 'metadata', 'permissionGates', 'pauseRequests', 'contractId', 'createdAt']) {
    assert.deepEqual(listed[k], (body as any)[k], k);
  }
  assert.deepEqual(listed.timeBudget, { total: 30 });
  const t = reconstitute(listed);
  assert.equal(t.pods.get('pod-b').role, 'frontend');
  assert.deepEqual(t.plan.podStrategy.dependencies.get('pod-b'), ['pod-a']);
  assert.ok(t.activePods.has('pod-a'));
});

it('debounced PATCHes jump statuses; paused_waiting_for_user; a finished TBWO reads finished', async () => {
  await as(pro)('POST', '/api/tbwo', clientBody('tb-2'));
  const paused = await as(pro)('PATCH', '/api/tbwo/tb-2', clientBody('tb-2', { status: 'paused_waiting_for_user', progress: 40 }));
  assert.equal(paused.status, 200, paused.text);
  assert.equal(paused.body.tbwo.status, 'paused_waiting_for_user');
  const receipts = {
    tbwoId: 'tb-2',
    executive: { summary: 'Done', accomplishments: ['page'], filesCreated: 3, qualityScore: 90 },
    technical: { buildStatus: 'success', dependencies: [] },
    podReceipts: [['pod-a', { podId: 'pod-a', role: 'design', tasksCompleted: 2 }]],
    generatedAt: Date.now(),
  };
  const finished = await as(pro)('PATCH', '/api/tbwo/tb-2', clientBody('tb-2', { status: 'completed', progress: 100, receipts, completedAt: 1234 }));
  assert.equal(finished.status, 200, finished.text);
  // A fresh draft may also jump straight to completed (one debounced write).
  await as(pro)('POST', '/api/tbwo', clientBody('tb-3'));
  assert.equal((await as(pro)('PATCH', '/api/tbwo/tb-3', clientBody('tb-3', { status: 'completed' }))).body.tbwo.status, 'completed');

  const check = async () => {
    const one = (await as(pro)('GET', '/api/tbwo/tb-2')).body.tbwo;
    assert.equal(one.status, 'completed');
    assert.equal(one.progress, 100);
    assert.equal(one.completedAt, 1234, "the client's own timestamp is kept");
    const t = reconstitute(one);
    assert.equal(t.receipts.executive.summary, 'Done');
    assert.equal(t.receipts.podReceipts.get('pod-a').tasksCompleted, 2);
  };
  await check();
  s = await s.restart();
  await check();
});

it("the engine's execution_state snapshot is stored and read back where the engine looks (tbwo.execution_state)", async () => {
  await as(pro)('POST', '/api/tbwo', clientBody('tb-4'));
  const snapshot = JSON.stringify({ executionAttemptId: 'att-1', currentPhaseIndex: 2, completedTaskIds: ['t1', 't2'], savedAt: Date.now() });
  const r = await as(pro)('PATCH', '/api/tbwo/tb-4', { execution_state: snapshot });
  assert.equal(r.status, 200, r.text);
  const one = (await as(pro)('GET', '/api/tbwo/tb-4')).body.tbwo;
  assert.equal(one.execution_state, snapshot);
  assert.equal(one.executionState, snapshot);
  assert.equal(JSON.parse(one.execution_state).currentPhaseIndex, 2);
  // A PATCH without it keeps it; camelCase works too; null clears it.
  await as(pro)('PATCH', '/api/tbwo/tb-4', { progress: 10 });
  assert.equal((await as(pro)('GET', '/api/tbwo/tb-4')).body.tbwo.execution_state, snapshot);
  assert.deepEqual((await as(pro)('PATCH', '/api/tbwo/tb-4', { executionState: { a: 1 } })).body.tbwo.execution_state, { a: 1 });
  assert.equal((await as(pro)('PATCH', '/api/tbwo/tb-4', { execution_state: null })).body.tbwo.execution_state, null);
});

it('every status of the client enum is accepted from any other (no enforced transitions)', async () => {
  const statuses = ['draft', 'planning', 'awaiting_approval', 'executing', 'paused', 'paused_waiting_for_user', 'checkpoint', 'completing', 'completed', 'failed', 'cancelled', 'timeout'];
  await as(pro)('POST', '/api/tbwos', { id: 'tb-5' });
  for (const to of statuses) for (const from of ['completed', 'draft']) {
    await as(pro)('PATCH', '/api/tbwos/tb-5', { status: from });
    const r = await as(pro)('PATCH', '/api/tbwos/tb-5', { status: to });
    assert.equal(r.status, 200, `${from} → ${to}: ${r.text}`);
    assert.equal(r.body.tbwo.status, to);
  }
  assert.equal((await as(pro)('PATCH', '/api/tbwos/tb-5', { status: 'finished' })).status, 400, 'a status outside the enum is refused');
});

it('extra fields are stored; a body with __proto__ or constructor keys is refused and pollutes nothing', async () => {
  const ok = await as(pro)('POST', '/api/tbwo', { id: 'tb-6', extra: { ok: 1 } });
  assert.equal(ok.status, 201, ok.text);
  assert.deepEqual((await as(pro)('GET', '/api/tbwo/tb-6')).body.tbwo.extra, { ok: 1 });
  for (const raw of ['{"id":"tb-7","__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}']) {
    const r = await s.api('PATCH', '/api/tbwo/tb-6', { token: pro.token, raw });
    assert.ok(r.status === 400 || r.status === 200, r.text);
    const one = (await as(pro)('GET', '/api/tbwo/tb-6')).body.tbwo;
    assert.equal(one.polluted, undefined);
    assert.equal(one.constructor?.prototype?.polluted, undefined);
  }
  assert.equal(((await as(pro)('GET', '/api/tbwos')).body.tbwos as any[]).some((t) => t.polluted), false);
});
