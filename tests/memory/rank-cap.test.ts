/**
 * Fusing only the text ranks that can reach the page (`ranksNeeded`, plus deeper ones the vectors also found) gives
 * the same top n as fusing every hit, whatever the entries' salience, age and pinning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuse, ranksNeeded, type RankedId } from '../../core/memory/rank.ts';
import type { MemoryEntry } from '../../core/plugin-api/types.ts';
import { rng } from '../../scripts/bench/memory-corpus.ts';

test('capped text ranks fuse to the same top n as all of them', () => {
  const random = rng(11);
  const now = Date.now();
  for (let round = 0; round < 200; round++) {
    const entries = new Map<string, MemoryEntry>();
    const textAll: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const id = `m${i}`;
      textAll.push(id);
      // Extreme weights make the bound matter: salience 0 or 1, brand new or a year old, pinned or not.
      entries.set(id, { id, salience: random() < 0.5 ? 0 : 1, updatedAt: random() < 0.5 ? now : now - 365 * 86_400_000, createdAt: i, isPinned: random() < 0.3 } as MemoryEntry);
    }
    textAll.sort(() => random() - 0.5);
    const vectors = Array.from({ length: Math.floor(random() * 20) }, () => textAll[Math.floor(random() * textAll.length)]!).filter((id, i, a) => a.indexOf(id) === i);
    const n = 1 + Math.floor(random() * 40);
    const inVectors = new Set(vectors);
    const cap = ranksNeeded(n);
    const capped: RankedId[] = textAll.map((id, rank) => ({ id, rank })).filter((r) => r.rank < cap || inVectors.has(r.id));
    const full = textAll.map((id, rank) => ({ id, rank }));
    const v = vectors.map((id, rank) => ({ id, rank }));
    const get = (id: string) => entries.get(id);
    assert.deepEqual(
      fuse([capped, v], get, now).slice(0, n).map((r) => r.entry.id),
      fuse([full, v], get, now).slice(0, n).map((r) => r.entry.id),
      `round ${round}, n ${n}`,
    );
  }
});
