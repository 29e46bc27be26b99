/** TBWOs: plan gate, record shape and defaults, aliases, both route prefixes, receipts; 400/401/403/404/409 paths. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestServer } from '../helpers/server.ts';
import { assertError, bootWithAdmin, userOnPlan, type Account } from './helpers.ts';

let s: TestServer;
let admin: Account;
let pro: Account;
let free: Account;
const as = (who: Account) => (method: string, path: string, body?: unknown) => s.api(method, path, { token: who.token, body });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const RECORD_KEYS = [
  'activePods', 'artifacts', 'authorityLevel', 'chatConversationId', 'checkpoints', 'completedAt', 'createdAt', 'executionState', 'execution_state',
  'id', 'metadata', 'objective', 'plan', 'pods', 'progress', 'qualityTarget', 'receipts', 'scope', 'startedAt', 'status', 'timeBudget', 'type', 'updatedAt',
];

before(async () => {
  ({ s, admin } = await bootWithAdmin());
  pro = await userOnPlan(s, admin, 'pro');
  free = await userOnPlan(s, admin, 'free');
});
after(() => s.dispose());

describe('plans', () => {
  it('free → 403 TBWO_DISABLED on both prefixes; pro and enterprise create', async () => {
    for (const p of ['/api/tbwos', '/api/tbwo']) assertError(await as(free)('POST', p, { objective: 'x' }), 403, 'TBWO_DISABLED');
    assert.equal((await as(pro)('POST', '/api/tbwos', {})).status, 201);
    const ent = await userOnPlan(s, admin, 'enterprise');
    assert.equal((await as(ent)('POST', '/api/tbwo', {})).status, 201);
    assert.equal((await as(admin)('POST', '/api/tbwo', {})).status, 201);
    // The free user still reads (an empty list), so a downgrade never hides data behind an error.
    assert.deepEqual((await as(free)('GET', '/api/tbwos')).body, { success: true, tbwos: [] });
  });

  it('a plan change applies at once (the plan is read from the store, not the token)', async () => {
    const u = await userOnPlan(s, admin, 'free');
    assertError(await as(u)('POST', '/api/tbwos', {}), 403, 'TBWO_DISABLED');
    await s.api('PATCH', `/api/admin/users/${u.user.id}`, { token: admin.token, body: { plan: 'pro' } });
    assert.equal((await as(u)('POST', '/api/tbwos', {})).status, 201);
  });

  it('no token → 401 everywhere', async () => {
    for (const [m, p] of [['GET', '/api/tbwos'], ['POST', '/api/tbwos'], ['GET', '/api/tbwo/x'], ['PATCH', '/api/tbwos/x'], ['DELETE', '/api/tbwo/x'], ['POST', '/api/tbwo/x/receipts'], ['GET', '/api/tbwos/x/receipts']]) {
      assertError(await s.api(m, p, { body: m === 'GET' || m === 'DELETE' ? undefined : {} }), 401);
    }
  });
});

describe('records', () => {
  it('create → 201 { success, id, tbwo } with every field and its default', async () => {
    const r = await as(pro)('POST', '/api/tbwos', {});
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(Object.keys(r.body).sort(), ['id', 'success', 'tbwo']);
    const t = r.body.tbwo;
    assert.deepEqual(Object.keys(t).sort(), RECORD_KEYS);
    assert.equal(t.id, r.body.id);
    assert.deepEqual(
      [t.type, t.objective, t.timeBudget, t.qualityTarget, t.scope, t.plan, t.pods, t.activePods, t.artifacts, t.checkpoints, t.authorityLevel, t.status, t.progress, t.receipts, t.chatConversationId, t.metadata, t.startedAt, t.completedAt],
      ['general', '', { total: 60 }, 'standard', {}, null, [], [], [], [], 'guided', 'draft', 0, null, null, {}, null, null],
    );
    assert.equal(t.createdAt, t.updatedAt);
  });

  it('create takes every field; a client id; a used id → 409', async () => {
    const body = {
      id: 'site-1', type: 'website_sprint', objective: 'Build a site', qualityTarget: 'apple_level', scope: { allowedTools: ['a'] },
      plan: { summary: 's', phases: [] }, pods: [{ id: 'p1', role: 'design' }], activePods: ['p1'], artifacts: [{ name: 'a' }], checkpoints: [{ status: 'pending' }],
      authorityLevel: 'autonomous', progress: 12.5, chatConversationId: 'conv-1', metadata: { k: 'v' }, timeBudget: { total: 90 },
    };
    const r = await as(pro)('POST', '/api/tbwo', body);
    assert.equal(r.status, 201, r.text);
    const { id, timeBudget, ...rest } = body;
    for (const [k, v] of Object.entries(rest)) assert.deepEqual(r.body.tbwo[k], v, k);
    assert.equal(r.body.id, 'site-1');
    assert.deepEqual(r.body.tbwo.timeBudget, { total: 90 });
    assertError(await as(pro)('POST', '/api/tbwos', { id: 'site-1' }), 409);
  });

  it('time budget aliases: timeBudgetTotal, timeBudgetMinutes, timeBudget.total on create and patch', async () => {
    assert.deepEqual((await as(pro)('POST', '/api/tbwos', { timeBudgetTotal: 15 })).body.tbwo.timeBudget, { total: 15 });
    const r = await as(pro)('POST', '/api/tbwos', { timeBudgetMinutes: 25 });
    assert.deepEqual(r.body.tbwo.timeBudget, { total: 25 });
    assert.deepEqual((await as(pro)('PATCH', `/api/tbwos/${r.body.id}`, { timeBudgetTotal: 30 })).body.tbwo.timeBudget, { total: 30 });
    assert.deepEqual((await as(pro)('PATCH', `/api/tbwo/${r.body.id}`, { timeBudgetMinutes: 35 })).body.tbwo.timeBudget, { total: 35 });
    assert.deepEqual((await as(pro)('PATCH', `/api/tbwo/${r.body.id}`, { timeBudget: { total: 40 } })).body.tbwo.timeBudget, { total: 40 });
  });

  it('create/patch 400 on bad values', async () => {
    for (const body of [
      { type: 'novel' }, { progress: '5' }, { qualityTarget: 'ultra' }, { authorityLevel: 'god' },
      { id: 'bad id' }, { id: '' }, { timeBudgetTotal: -5 }, { timeBudget: { total: 'x' } }, { pods: {} }, { scope: [] }, { objective: 1 },
    ]) assertError(await as(pro)('POST', '/api/tbwos', body), 400, 'VALIDATION_ERROR');
    assertError(await as(pro)('PATCH', '/api/tbwos/site-1', { progress: 'all' }), 400, 'VALIDATION_ERROR');
    assertError(await as(pro)('PATCH', '/api/tbwo/site-1', { status: 'finished' }), 400, 'VALIDATION_ERROR');
  });

  it('GET one → { success, tbwo } on both prefixes; unknown or malformed → 404', async () => {
    const a = await as(pro)('GET', '/api/tbwos/site-1');
    const b = await as(pro)('GET', '/api/tbwo/site-1');
    assert.equal(a.status, 200);
    assert.deepEqual(Object.keys(a.body).sort(), ['success', 'tbwo']);
    assert.deepEqual(a.body, b.body);
    assertError(await as(pro)('GET', '/api/tbwos/nope'), 404);
    assertError(await as(pro)('GET', '/api/tbwo/..%2f..'), 404);
  });

  it('PATCH updates fields (objects replace wholesale), progress, bumps updatedAt; 404 unknown', async () => {
    const before = (await as(pro)('GET', '/api/tbwos/site-1')).body.tbwo;
    await sleep(5);
    const r = await as(pro)('PATCH', '/api/tbwos/site-1', { scope: { b: 1 }, progress: 50, plan: null, objective: 'new' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.body).sort(), ['success', 'tbwo']);
    assert.deepEqual(r.body.tbwo.scope, { b: 1 });
    assert.equal(r.body.tbwo.plan, null);
    assert.equal(r.body.tbwo.progress, 50);
    assert.equal(r.body.tbwo.objective, 'new');
    assert.equal(r.body.tbwo.type, 'website_sprint');
    assert.ok(r.body.tbwo.updatedAt > before.updatedAt);
    assert.equal(r.body.tbwo.createdAt, before.createdAt);
    assertError(await as(pro)('PATCH', '/api/tbwos/nope', { progress: 1 }), 404);
  });

  it('GET list: newest updatedAt first, limit and offset, both prefixes', async () => {
    const all = (await as(pro)('GET', '/api/tbwos?limit=200')).body.tbwos;
    assert.ok(all.length >= 4);
    assert.equal(all[0].id, 'site-1', 'the last patched is first');
    const times = all.map((t: any) => t.updatedAt);
    assert.deepEqual(times, [...times].sort((a: number, b: number) => b - a));
    for (const t of all) assert.deepEqual(Object.keys(t).sort(), RECORD_KEYS);
    const p = (await as(pro)('GET', '/api/tbwo?limit=2&offset=1')).body.tbwos.map((t: any) => t.id);
    assert.deepEqual(p, all.slice(1, 3).map((t: any) => t.id));
    assertError(await as(pro)('GET', '/api/tbwos?limit=x'), 400);
    assertError(await as(pro)('GET', '/api/tbwos?offset=-1'), 400);
  });
});

describe('receipts', () => {
  it('POST stores the body whole with server id, tbwoId and timestamp → 201 { success, id }; GET newest first', async () => {
    const t = (await as(pro)('POST', '/api/tbwos', { id: 'rcpt' })).body.tbwo;
    const before = Date.now();
    const first = await as(pro)('POST', '/api/tbwo/rcpt/receipts', { data: { executive: { summary: 'ok' } }, extra: [1, 2], nested: { deep: { x: true } }, createdAt: 1, id: 'client-id' });
    assert.equal(first.status, 201, first.text);
    assert.deepEqual(Object.keys(first.body).sort(), ['id', 'success']);
    assert.notEqual(first.body.id, 'client-id');
    const second = await as(pro)('POST', '/api/tbwos/rcpt/receipts', { type: 'partial', data: 5 });
    assert.equal(second.status, 201);
    for (const p of ['/api/tbwo/rcpt/receipts', '/api/tbwos/rcpt/receipts']) {
      const g = await as(pro)('GET', p);
      assert.equal(g.status, 200);
      assert.deepEqual(Object.keys(g.body).sort(), ['receipts', 'success']);
      assert.deepEqual(g.body.receipts.map((x: any) => x.id), [second.body.id, first.body.id]);
      const r1 = g.body.receipts[1];
      assert.equal(r1.type, 'full');
      assert.equal(r1.tbwoId, t.id);
      assert.deepEqual(r1.data, { executive: { summary: 'ok' } });
      assert.deepEqual(r1.extra, [1, 2]);
      assert.deepEqual(r1.nested, { deep: { x: true } });
      assert.ok(r1.createdAt >= before, 'server timestamp, not the client one');
      assert.equal(g.body.receipts[0].type, 'partial');
      assert.equal(g.body.receipts[0].data, 5);
    }
    // The original's column names come along (tbwo_id, receipt_type, created_at).
    const g = (await as(pro)('GET', '/api/tbwo/rcpt/receipts')).body.receipts[1];
    assert.deepEqual([g.tbwo_id, g.receipt_type, g.created_at], [t.id, 'full', g.createdAt]);
    // The record's `receipts` is the data of the newest full receipt (the object dbInit.ts spreads).
    const one = (await as(pro)('GET', '/api/tbwos/rcpt')).body.tbwo;
    assert.deepEqual(one.receipts, { executive: { summary: 'ok' } });
  });

  it('a receipts object in create or PATCH is the record\'s receipts, as sent; null clears it', async () => {
    const r = await as(pro)('POST', '/api/tbwos', { receipts: { tbwoId: 'x', executive: {}, podReceipts: [['p1', { podId: 'p1' }]] } });
    assert.deepEqual(r.body.tbwo.receipts, { tbwoId: 'x', executive: {}, podReceipts: [['p1', { podId: 'p1' }]] });
    const p = await as(pro)('PATCH', `/api/tbwos/${r.body.id}`, { receipts: { second: true } });
    assert.deepEqual(p.body.tbwo.receipts, { second: true });
    assert.equal((await as(pro)('PATCH', `/api/tbwos/${r.body.id}`, { receipts: null })).body.tbwo.receipts, null);
    assert.equal((await as(pro)('GET', `/api/tbwos/${r.body.id}`)).body.tbwo.receipts, null);
  });

  it('400 on a non-object body or a bad type; 404 on unknown TBWO', async () => {
    assertError(await s.api('POST', '/api/tbwo/rcpt/receipts', { token: pro.token, raw: '[1,2]' }), 400);
    assertError(await s.api('POST', '/api/tbwo/rcpt/receipts', { token: pro.token, raw: '"str"' }), 400);
    assertError(await as(pro)('POST', '/api/tbwo/rcpt/receipts', { type: 5 }), 400);
    assertError(await as(pro)('POST', '/api/tbwo/nope/receipts', { data: 1 }), 404);
    assertError(await as(pro)('GET', '/api/tbwos/nope/receipts'), 404);
  });

  it('DELETE removes the TBWO and its receipts; a new TBWO with that id starts with none', async () => {
    const r = await as(pro)('DELETE', '/api/tbwo/rcpt');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { success: true });
    assertError(await as(pro)('GET', '/api/tbwo/rcpt'), 404);
    assertError(await as(pro)('GET', '/api/tbwo/rcpt/receipts'), 404);
    assertError(await as(pro)('DELETE', '/api/tbwos/rcpt'), 404);
    const again = await as(pro)('POST', '/api/tbwos', { id: 'rcpt' });
    assert.equal(again.status, 201);
    assert.equal(again.body.tbwo.receipts, null);
    assert.deepEqual((await as(pro)('GET', '/api/tbwos/rcpt/receipts')).body.receipts, []);
  });
});
