/** The grouped fenced cache's rules: answer only when vouched for; a notice drops its whole group, and overtakes reads. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FencedGroups } from './fenced-groups.ts';

function setup(maxEntries = 10) {
  const trust = { ok: true, trusted() { return this.ok; } };
  const cache = new FencedGroups<{ v: number }>(trust, { maxEntries, maxBytes: 1_000, maxAgeMs: 60_000 });
  return { trust, cache };
}

const value = (v: number) => async () => ({ v });

function gated(v: number) {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  return { read: async () => (await gate, { v }), open };
}

test('held per group and key, answered only while the fence vouches; a read made while untrusted is not kept', async () => {
  const { trust, cache } = setup();
  assert.deepEqual(await cache.load('alice', 'conv-1', value(1)), { v: 1 });
  assert.deepEqual(await cache.load('alice', 'conv-1', value(2)), { v: 1 }, 'held');
  assert.deepEqual(await cache.load('alice', 'conv-2', value(3)), { v: 3 }, 'another key of the group');
  trust.ok = false;
  assert.equal(cache.get('alice', 'conv-1'), undefined);
  assert.deepEqual(await cache.load('bob', 'conv-1', value(4)), { v: 4 });
  trust.ok = true;
  assert.equal(cache.get('bob', 'conv-1'), undefined, 'read while untrusted: not kept');
});

test("a notice drops every entry of its group and none of another's", async () => {
  const { cache } = setup();
  await cache.load('alice', 'conv-1', value(1));
  await cache.load('alice', 'list', value(2));
  await cache.load('bob', 'list', value(3));
  cache.forget('alice');
  assert.equal(cache.get('alice', 'conv-1'), undefined);
  assert.equal(cache.get('alice', 'list'), undefined);
  assert.deepEqual(cache.get('bob', 'list'), { v: 3 });
  assert.equal(cache.size, 1);
});

test("a read overtaken by its group's notice is handed over but not kept; another group's notice does not matter", async () => {
  const { cache } = setup();
  const alice = gated(1);
  const bob = gated(2);
  const aliceRead = cache.load('alice', 'conv', alice.read);
  const bobRead = cache.load('bob', 'conv', bob.read);
  cache.forget('alice'); // alice's notice arrives while both old rows are on their way
  alice.open();
  bob.open();
  assert.deepEqual(await aliceRead, { v: 1 });
  assert.deepEqual(await bobRead, { v: 2 });
  assert.equal(cache.get('alice', 'conv'), undefined, 'overtaken: not kept');
  assert.deepEqual(cache.get('bob', 'conv'), { v: 2 });
});

test('clear drops everything and overtakes every read in flight', async () => {
  const { cache } = setup();
  await cache.load('alice', 'conv', value(1));
  const slow = gated(2);
  const flying = cache.load('bob', 'conv', slow.read);
  cache.clear();
  slow.open();
  await flying;
  assert.equal(cache.size, 0);
  assert.equal(cache.get('bob', 'conv'), undefined);
});

test('many notices while a read is in flight (the remembered groups summarised) still overtake it', async () => {
  const { cache } = setup();
  const slow = gated(1);
  const flying = cache.load('alice', 'conv', slow.read);
  for (let i = 0; i < 5_000; i++) cache.forget(`user-${i}`);
  slow.open();
  await flying;
  assert.equal(cache.get('alice', 'conv'), undefined, 'pruned bookkeeping errs on the side of not keeping');
  assert.deepEqual(await cache.load('alice', 'conv', value(2)), { v: 2 });
  assert.deepEqual(cache.get('alice', 'conv'), { v: 2 }, 'a read that started after the notices is kept');
});

test('bounded: the group filled least recently goes first', async () => {
  const { cache } = setup(3);
  await cache.load('a', 'k1', value(1));
  await cache.load('b', 'k1', value(2));
  await cache.load('a', 'k2', value(3)); // refills a: b is now the oldest
  await cache.load('c', 'k1', value(4));
  assert.equal(cache.size, 3);
  assert.equal(cache.get('b', 'k1'), undefined);
  assert.deepEqual(cache.get('a', 'k1'), { v: 1 });
  assert.deepEqual(cache.get('c', 'k1'), { v: 4 });
});

test('a read begun before the fence vouched is handed over but not kept (it may predate an unannounced change)', async () => {
  const { trust, cache } = setup();
  trust.ok = false;
  const slow = gated(1);
  const flying = cache.load('alice', 'conv', slow.read);
  trust.ok = true;
  slow.open();
  assert.deepEqual(await flying, { v: 1 });
  assert.equal(cache.get('alice', 'conv'), undefined);
});

test('bounded by weight too: heavy entries push the oldest groups out, one over a quarter of the budget is not kept', async () => {
  const { cache } = setup(100);
  const weigh = (v: { v: number }) => v.v;
  await cache.load('a', 'k', value(200), weigh);
  await cache.load('b', 'k', value(200), weigh);
  await cache.load('c', 'k', value(200), weigh);
  await cache.load('d', 'k', value(200), weigh);
  assert.equal(cache.weight, 800);
  await cache.load('e', 'k', value(250), weigh);
  assert.equal(cache.get('a', 'k'), undefined, 'the oldest group went');
  assert.ok(cache.weight <= 1_000);
  assert.deepEqual(await cache.load('f', 'k', value(251), weigh), { v: 251 }, 'handed over');
  assert.equal(cache.get('f', 'k'), undefined, 'over a quarter of the budget: not kept');
  cache.forget('e');
  assert.equal(cache.weight, 600);
});
