import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topK } from './top-k.ts';

interface Item { id: string; createdAt: number; salience: number }
const newest = (a: Item, b: Item) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const salient = (a: Item, b: Item) => b.salience - a.salience || newest(a, b);

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number) {
  return () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

test('topK equals a full sort then slice, for insertion order, shuffled input, ties and every k', () => {
  const next = random(7);
  const inOrder: Item[] = Array.from({ length: 600 }, (_, i) => ({ id: `m${(i * 37) % 600}`, createdAt: Math.floor(i / 3), salience: Math.round(next() * 10) / 10 }));
  const shuffled = [...inOrder].sort(() => next() - 0.5);
  for (const items of [inOrder, shuffled]) {
    for (const compare of [newest, salient]) {
      for (const k of [0, 1, 2, 10, 80, 149, 150, 151, 599, 600, 700]) {
        assert.deepEqual(topK(items, k, compare), [...items].sort(compare).slice(0, k), `k ${k}`);
      }
    }
  }
});

test('topK leaves its input as it was', () => {
  const items: Item[] = Array.from({ length: 100 }, (_, i) => ({ id: `m${i}`, createdAt: i, salience: 0 }));
  const copy = [...items];
  topK(items, 5, newest);
  assert.deepEqual(items, copy);
});
