// The same data on both drivers gives the same search results: the lowdb files driver and the PostgreSQL driver are
// filled with the same entries in the same order and asked the same queries (text, vector-only word forms, filters,
// paging, listing); ids, order and totals must match exactly, scores to float precision.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MemoryLayer, MemoryQuery, MemorySearchResult } from '../../core/plugin-api/types.ts';
import type { MemoryStore } from '../../core/memory/index.ts';
import type { PgMemoryStore } from '../../core/memory/postgres/store.ts';
import { corpus, rng } from '../../scripts/bench/memory-corpus.ts';
import { openStore, tempDir } from '../memory/helpers.ts';
import { pgMemory, type PgMemoryFixture } from './memory-helpers.ts';

const LAYERS: MemoryLayer[] = ['short_term', 'long_term', 'semantic', 'episodic'];
let fx: PgMemoryFixture;
let files: MemoryStore;
let pg: PgMemoryStore;
let cleanup: () => Promise<void>;
const text = corpus(11, 1500, 18);

before(async () => {
  fx = await pgMemory();
  const tmp = await tempDir();
  cleanup = tmp.cleanup;
  files = await openStore(tmp.dir);
  pg = await fx.open();
  const next = rng(5);
  for (let i = 0; i < 240; i++) {
    // Some exact duplicates: equal scores, so the tie order is tested too.
    const content = i % 40 === 39 ? 'the user likes green tea in the afternoon' : text.sentence();
    const input = {
      id: `m${String(i).padStart(3, '0')}`,
      content,
      layer: LAYERS[i % LAYERS.length],
      category: i % 3 === 0 ? 'work' : 'life',
      salience: Math.round(next() * 10) / 10,
      isPinned: i % 17 === 0,
      tags: i % 5 === 0 ? ['flag'] : [],
    };
    await files.add('u1', input);
    await pg.add('u1', input);
    // Strictly increasing createdAt on both sides, so "newest first" has no ties that only one side has.
    await new Promise((r) => setTimeout(r, 2));
  }
  await files.add('u1', { id: 'm010', content: 'replaced: green tea with lemon' });
  await pg.add('u1', { id: 'm010', content: 'replaced: green tea with lemon' });
  await files.delete('u1', 'm020');
  await pg.delete('u1', 'm020');
});
after(async () => {
  await files.close();
  await fx.dispose();
  await cleanup();
});

function shape(r: MemorySearchResult) {
  return { total: r.total, ids: r.entries.map((e) => e.id) };
}

function queries(): MemoryQuery[] {
  const next = rng(9);
  const out: MemoryQuery[] = [];
  for (let i = 0; i < 30; i++) {
    const words = Array.from({ length: 1 + (i % 3) }, () => text.word());
    out.push({ search: words.join(' '), limit: 10 });
  }
  // A word with a suffix (vector and fuzzy side), a prefix, filters, paging, listing.
  const w = text.vocab[3]!;
  out.push({ search: `${w}s` }, { search: w.slice(0, 5) }, { search: 'green tea' }, { search: 'tea', layer: 'semantic' });
  out.push({ search: text.word(), category: 'work', limit: 5, offset: 5 }, { search: 'afternoon', limit: 3, offset: 1 });
  out.push({}, { order: 'salience', limit: 20 }, { layer: 'episodic', offset: 10, limit: 10 });
  void next;
  return out;
}

test('both drivers answer every query with the same ids, order and totals, and the same scores (to 1e-6: recency weights see write times a few ms apart)', async () => {
  let compared = 0;
  for (const q of queries()) {
    const a = await files.search('u1', q);
    const b = await pg.search('u1', q);
    assert.deepEqual(shape(b), shape(a), `query ${JSON.stringify(q)}`);
    a.entries.forEach((e, i) => {
      const s = b.entries[i]!.score;
      if (e.score === undefined) assert.equal(s, undefined);
      else assert.ok(Math.abs(e.score - s!) <= 1e-6 * e.score, `score of ${e.id} for ${JSON.stringify(q)}: ${e.score} vs ${s}`);
      assert.deepEqual({ ...b.entries[i], createdAt: 0, updatedAt: 0, score: 0 }, { ...e, createdAt: 0, updatedAt: 0, score: 0 });
    });
    compared += a.entries.length;
  }
  assert.ok(compared > 200, `compared ${compared} results`);
  assert.equal(pg.count('u1'), files.count('u1'));
});

test('a second PostgreSQL instance (loading the user from the tables) answers the same as the first', async () => {
  const other = await fx.open();
  for (const q of queries()) assert.deepEqual(shape(await other.search('u1', q)), shape(await files.search('u1', q)), JSON.stringify(q));
});
