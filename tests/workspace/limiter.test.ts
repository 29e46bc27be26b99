import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExecLimiter } from '../../core/workspace/limiter.ts';

test('per-user and global caps; waiting requests are granted in order as slots free', async () => {
  const lim = new ExecLimiter({ perUser: 2, global: 3, maxWaitMs: 2000 });
  const a1 = await lim.acquire('a');
  const a2 = await lim.acquire('a');
  let a3Granted = false;
  const a3 = lim.acquire('a').then((r) => ((a3Granted = true), r));
  // another user is not held up by a's queue
  const b1 = await lim.acquire('b');
  assert.deepEqual(lim.stats(), { running: 3, waiting: 1, byUser: { a: 2, b: 1 } });
  let c1Granted = false;
  const c1 = lim.acquire('c').then((r) => ((c1Granted = true), r));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(a3Granted, false);
  assert.equal(c1Granted, false);
  b1(); // frees a global slot: a3 still at a's cap, so c1 gets it
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(c1Granted, true);
  assert.equal(a3Granted, false);
  a1();
  a1(); // double release is harmless
  const a3r = await a3;
  assert.deepEqual(lim.stats().byUser, { a: 2, c: 1 });
  a2();
  a3r();
  (await c1)();
  assert.deepEqual(lim.stats(), { running: 0, waiting: 0, byUser: {} });
});

test('waiting beyond maxWaitMs → 429 TOO_MANY_EXECUTIONS with Retry-After', async () => {
  const lim = new ExecLimiter({ perUser: 1, global: 4, maxWaitMs: 100 });
  const release = await lim.acquire('u');
  await assert.rejects(lim.acquire('u'), (e: { status: number; code: string; headers: Record<string, string> }) => {
    assert.equal(e.status, 429);
    assert.equal(e.code, 'TOO_MANY_EXECUTIONS');
    assert.ok(Number(e.headers['Retry-After']) >= 1);
    return true;
  });
  assert.equal(lim.stats().waiting, 0);
  release();
  // run() releases even when the work throws
  await assert.rejects(lim.run('u', async () => { throw new Error('boom'); }), /boom/);
  assert.equal(lim.stats().running, 0);
  assert.equal(await lim.run('u', async () => 7), 7);
});

test('a full queue answers 429 at once', async () => {
  const lim = new ExecLimiter({ perUser: 1, global: 1, maxWaitMs: 5000, maxQueue: 1 });
  const r = await lim.acquire('x');
  const waiting = lim.acquire('y');
  const started = Date.now();
  await assert.rejects(lim.acquire('z'), { code: 'TOO_MANY_EXECUTIONS' });
  assert.ok(Date.now() - started < 100);
  r();
  (await waiting)();
});
