/** The serialisers: one task at a time, in order, failures isolated to their caller; idle keys are dropped. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyedSerialQueue, SerialQueue } from './serial.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('SerialQueue runs tasks one after another, in order, and a failure reaches only its caller', async () => {
  const q = new SerialQueue();
  const log: string[] = [];
  let running = 0;
  const task = (name: string, ms: number, fail = false) => async () => {
    running++;
    assert.equal(running, 1, 'never two at once');
    log.push(`start ${name}`);
    await tick(ms);
    log.push(`end ${name}`);
    running--;
    if (fail) throw new Error(name);
    return name;
  };
  const results = await Promise.allSettled([q.run(task('a', 20)), q.run(task('b', 1, true)), q.run(task('c', 5))]);
  assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  assert.equal((results[2] as PromiseFulfilledResult<string>).value, 'c');
});

test('KeyedSerialQueue serialises per key, runs keys side by side, and forgets idle keys', async () => {
  const q = new KeyedSerialQueue();
  const log: string[] = [];
  const task = (name: string, ms: number) => async () => {
    log.push(`start ${name}`);
    await tick(ms);
    log.push(`end ${name}`);
  };
  const all = Promise.all([q.run('x', task('x1', 20)), q.run('y', task('y1', 5)), q.run('x', task('x2', 1))]);
  assert.equal(q.size, 2);
  await all;
  assert.ok(log.indexOf('start y1') < log.indexOf('end x1'), 'another key does not wait');
  assert.ok(log.indexOf('end x1') < log.indexOf('start x2'), 'the same key waits');
  await tick(0);
  assert.equal(q.size, 0, 'idle keys are dropped');
});
