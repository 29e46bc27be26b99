import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MemoryEntry } from '../plugin-api/types.ts';
import { byNewest, EntryTable } from './entry-table.ts';

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number) {
  return () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

function entry(id: string, createdAt: number, expiresAt: number | null): MemoryEntry {
  return { id, userId: 'u', content: id, layer: 'short_term', category: 'general', salience: 0.5, tags: [], metadata: {}, isPinned: false,
    source: 'user', createdAt, updatedAt: createdAt, expiresAt, embedder: null, dims: 0 };
}

test('the table lists its entries newest first, as sorting them would, through appends, old entries, replacements and deletes', () => {
  const next = random(3);
  const table = new EntryTable();
  let clock = 1_000;
  for (let step = 0; step < 4000; step++) {
    const r = next();
    const id = `e${Math.floor(next() * 600)}`;
    if (r < 0.5) table.set(id, entry(id, (clock += 1), null)); // a new memory: the newest
    else if (r < 0.65) table.set(id, entry(id, Math.floor(next() * clock), next() < 0.3 ? clock : null)); // an old one (import, log replay)
    else if (r < 0.8) {
      const old = table.get(id);
      if (old) table.set(id, { ...old, content: 'edited' }); // a replacement keeps createdAt
    } else if (r < 0.99) table.delete(id);
    else table.clear();
    if (step % 50 === 0) {
      const expected = [...table.values()].sort(byNewest).map((e) => e.id);
      assert.deepEqual([...table.newestFirst()].map((e) => e.id), expected, `step ${step}`);
      assert.equal(table.hasExpiring, [...table.values()].some((e) => e.expiresAt !== null), `step ${step}`);
    }
  }
  // Ties on createdAt are ordered by id.
  table.clear();
  for (const id of ['b', 'c', 'a']) table.set(id, entry(id, 5, null));
  assert.deepEqual([...table.newestFirst()].map((e) => e.id), ['a', 'b', 'c']);
});
