/** TBWO lifecycle: every legal and illegal status move of the contract, under both route prefixes. */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { TestServer } from '../helpers/server.ts';
import { assertError, bootWithAdmin, type Account } from './helpers.ts';

// The table of `alin-api.md`, written out here independently of the plugin's own copy.
const LEGAL: Record<string, string[]> = {
  draft: ['planning', 'cancelled'],
  planning: ['awaiting_approval', 'executing', 'failed', 'cancelled'],
  awaiting_approval: ['executing', 'planning', 'cancelled'],
  executing: ['paused', 'checkpoint', 'completing', 'completed', 'failed', 'timeout', 'cancelled'],
  paused: ['executing', 'cancelled'],
  checkpoint: ['executing', 'failed', 'cancelled'],
  completing: ['completed', 'failed'],
  completed: [],
  failed: [],
  cancelled: [],
  timeout: [],
};
const STATUSES = Object.keys(LEGAL);
/** A legal path from draft to each status. */
const PATH: Record<string, string[]> = {
  draft: [],
  planning: ['planning'],
  awaiting_approval: ['planning', 'awaiting_approval'],
  executing: ['planning', 'executing'],
  paused: ['planning', 'executing', 'paused'],
  checkpoint: ['planning', 'executing', 'checkpoint'],
  completing: ['planning', 'executing', 'completing'],
  completed: ['planning', 'executing', 'completed'],
  failed: ['planning', 'failed'],
  cancelled: ['cancelled'],
  timeout: ['planning', 'executing', 'timeout'],
};
const FINAL = new Set(['completed', 'failed', 'cancelled', 'timeout']);

let s: TestServer;
let admin: Account;
before(async () => ({ s, admin } = await bootWithAdmin()));
after(() => s.dispose());

async function tbwoIn(status: string, prefix: string): Promise<string> {
  const r = await s.api('POST', prefix, { token: admin.token, body: {} });
  assert.equal(r.status, 201, r.text);
  for (const step of PATH[status]) {
    const p = await s.api('PATCH', `${prefix}/${r.body.id}`, { token: admin.token, body: { status: step } });
    assert.equal(p.status, 200, `${step}: ${p.text}`);
  }
  return r.body.id;
}

it('every move of the 11×11 table: legal → 200, illegal → 409 INVALID_TRANSITION and nothing changes', async () => {
  let checked = 0;
  for (const from of STATUSES) {
    for (const to of STATUSES) {
      const prefix = checked % 2 ? '/api/tbwo' : '/api/tbwos';
      const id = await tbwoIn(from, prefix);
      const r = await s.api('PATCH', `${prefix}/${id}`, { token: admin.token, body: { status: to, objective: 'changed' } });
      if (from === to || LEGAL[from].includes(to)) {
        assert.equal(r.status, 200, `${from} → ${to}: ${r.text}`);
        assert.equal(r.body.tbwo.status, to);
      } else {
        assertError(r, 409, 'INVALID_TRANSITION');
        const now = (await s.api('GET', `${prefix}/${id}`, { token: admin.token })).body.tbwo;
        assert.equal(now.status, from, `${from} → ${to} must leave the status`);
        assert.equal(now.objective, '', `${from} → ${to} must not apply the rest of the patch`);
      }
      checked++;
    }
  }
  assert.equal(checked, 121);
});

it('startedAt is set on the first executing, completedAt on reaching a final status, and kept after', async () => {
  const r = await s.api('POST', '/api/tbwos', { token: admin.token, body: {} });
  const id = r.body.id;
  assert.equal(r.body.tbwo.startedAt, null);
  assert.equal(r.body.tbwo.completedAt, null);
  const patch = async (status: string) => (await s.api('PATCH', `/api/tbwos/${id}`, { token: admin.token, body: { status } })).body.tbwo;
  assert.equal((await patch('planning')).startedAt, null);
  const exec = await patch('executing');
  assert.equal(typeof exec.startedAt, 'number');
  assert.equal(exec.completedAt, null);
  await patch('paused');
  const again = await patch('executing');
  assert.equal(again.startedAt, exec.startedAt, 'startedAt is the first start');
  const done = await patch('completed');
  assert.equal(typeof done.completedAt, 'number');
  assert.ok(done.completedAt >= done.startedAt);
  for (const status of FINAL) {
    const id2 = await tbwoIn(status, '/api/tbwo');
    const t = (await s.api('GET', `/api/tbwo/${id2}`, { token: admin.token })).body.tbwo;
    assert.equal(typeof t.completedAt, 'number', `${status} sets completedAt`);
  }
});

it('create may start in draft or a legal first move; anything else → 409', async () => {
  assert.equal((await s.api('POST', '/api/tbwos', { token: admin.token, body: { status: 'draft' } })).status, 201);
  const planning = await s.api('POST', '/api/tbwos', { token: admin.token, body: { status: 'planning' } });
  assert.equal(planning.status, 201);
  assert.equal(planning.body.tbwo.status, 'planning');
  assertError(await s.api('POST', '/api/tbwos', { token: admin.token, body: { status: 'executing' } }), 409, 'INVALID_TRANSITION');
  assertError(await s.api('POST', '/api/tbwo', { token: admin.token, body: { status: 'completed' } }), 409, 'INVALID_TRANSITION');
  assertError(await s.api('POST', '/api/tbwo', { token: admin.token, body: { status: 'done' } }), 400, 'VALIDATION_ERROR');
});
