/** The fenced cache's rules: answer only when vouched for, never keep (or share) a read that a notice overtook. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FencedCache } from './fenced-cache.ts';

function setup() {
  const trust = { ok: true, trusted() { return this.ok; } };
  const cache = new FencedCache<{ v: number }>(trust, { maxEntries: 2, maxAgeMs: 60_000 });
  let reads = 0;
  const reader = (v: number) => async () => (reads++, { v });
  return { trust, cache, reader, reads: () => reads };
}

/** A read that resolves when told to. */
function gated(v: number) {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  return { read: async () => (await gate, { v }), open };
}

test('a held value is answered only while the fence vouches', async () => {
  const { trust, cache, reader, reads } = setup();
  assert.deepEqual(await cache.load('u', reader(1)), { v: 1 });
  assert.deepEqual(await cache.load('u', reader(2)), { v: 1 }, 'held');
  trust.ok = false;
  assert.equal(cache.get('u'), undefined, 'not vouched for: read instead');
  assert.deepEqual(await cache.load('u', reader(3)), { v: 3 });
  trust.ok = true;
  assert.deepEqual(await cache.load('u', reader(4)), { v: 4 }, 'a read made while untrusted is not kept');
  assert.equal(reads(), 3);
});

test('a read overtaken by a notice is handed to its caller but not kept, and not shared with later callers', async () => {
  const { cache, reader } = setup();
  const slow = gated(1);
  const first = cache.load('u', slow.read);
  cache.forget('u'); // the notice arrives while the old row is on its way
  const later = cache.load('u', reader(2)); // a request after the notice must not join the old read
  slow.open();
  assert.deepEqual(await first, { v: 1 });
  assert.deepEqual(await later, { v: 2 });
  assert.deepEqual(cache.get('u'), { v: 2 }, 'the read that started after the notice is kept');
});

test('concurrent misses share one read; clear drops everything', async () => {
  const { cache, reads } = setup();
  const slow = gated(7);
  let n = 0;
  const counted = async () => (n++, slow.read());
  const both = Promise.all([cache.load('u', counted), cache.load('u', counted)]);
  slow.open();
  assert.deepEqual(await both, [{ v: 7 }, { v: 7 }]);
  assert.equal(n, 1);
  cache.clear();
  assert.equal(cache.get('u'), undefined);
  assert.equal(reads(), 0);
});

test('bounded: the oldest entry goes first', async () => {
  const { cache, reader } = setup();
  for (const k of ['a', 'b', 'c']) await cache.load(k, reader(1));
  assert.equal(cache.size, 2);
  assert.equal(cache.get('a'), undefined);
  assert.deepEqual(cache.get('c'), { v: 1 });
});

test('a read begun before the fence vouched is handed over but not kept (it may predate an unannounced change)', async () => {
  const { trust, cache } = setup();
  trust.ok = false;
  const slow = gated(1);
  const flying = cache.load('u', slow.read);
  trust.ok = true;
  slow.open();
  assert.deepEqual(await flying, { v: 1 });
  assert.equal(cache.get('u'), undefined);
});
