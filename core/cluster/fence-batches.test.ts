/** Group commit of change notices: at once at rest, gathered while one is in flight, split to fit a notice. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChangeBatches } from './fence-batches.ts';

function recorder() {
  const sent: Array<{ topic: string; keys: string[]; statementDone: () => void; finish: (error?: Error) => void }> = [];
  const batches = new ChangeBatches((topic, keys, statementDone) => new Promise<void>((resolve, reject) => {
    sent.push({ topic, keys, statementDone, finish: (error) => (error ? reject(error) : resolve()) });
  }));
  return { sent, batches };
}

const tick = () => new Promise((r) => setImmediate(r));

test('a change at rest is announced at once; changes meanwhile gather into the next notice, deduplicated', async () => {
  const { sent, batches } = recorder();
  const first = batches.add('t', 'alice');
  assert.deepEqual(sent.map((s) => s.keys), [['alice']], 'no wait at rest');
  const waiting = [batches.add('t', 'bob'), batches.add('t', 'carol'), batches.add('t', 'bob')];
  assert.equal(sent.length, 1, 'gathered while the first statement is in flight');
  sent[0].statementDone();
  assert.deepEqual(sent[1].keys, ['bob', 'carol']);
  let settled = false;
  void Promise.all(waiting).then(() => (settled = true));
  sent[0].finish();
  await first;
  await tick();
  assert.equal(settled, false, 'each waits for its own notice');
  sent[1].finish();
  await Promise.all(waiting);
});

test('topics are gathered separately; a notice is split before it outgrows the payload', async () => {
  const { sent, batches } = recorder();
  void batches.add('t', 'x');
  void batches.add('u', 'y');
  assert.deepEqual(sent.map((s) => [s.topic, s.keys]), [['t', ['x']], ['u', ['y']]]);
  const many = Array.from({ length: 40 }, (_, i) => `${'k'.repeat(30)}-${i}`);
  for (const k of many) void batches.add('t', k);
  const carried: string[] = [];
  for (let done = 0; carried.length < many.length && done < 10; done++) {
    const before = sent.length;
    sent.filter((s) => s.topic === 't').at(-1)!.statementDone();
    const next = sent.at(-1)!;
    assert.equal(sent.length, before + 1);
    assert.ok(next.keys.length > 1 && next.keys.join('').length <= 600, `${next.keys.length} keys`);
    carried.push(...next.keys);
  }
  assert.deepEqual(carried, many, 'every key carried once, in order, over several notices');
});

test('a failed notice rejects its waiters and does not hold the next one back', async () => {
  const { sent, batches } = recorder();
  const first = batches.add('t', 'alice');
  const second = batches.add('t', 'bob');
  sent[0].finish(new Error('database down')); // failed before its statement returned
  await assert.rejects(first, /database down/);
  await tick();
  assert.deepEqual(sent[1].keys, ['bob']);
  sent[1].finish();
  await second;
});
