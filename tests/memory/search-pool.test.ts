// Searches in the worker pool answer exactly what the same search answers on the main thread (same data: ids, order,
// totals, scores), see every write acknowledged before they started, and survive a worker dying (its searches in
// flight fail with a 503, later ones are answered by its replacement, brought up to date).
import assert from 'node:assert/strict';
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { wantNativeScan, NATIVE_SCAN_FROM } from '../../core/memory/exact-scan.ts';
import type { MemoryStore } from '../../core/memory/index.ts';
import { SearchPool } from '../../core/memory/search-pool/pool.ts';
import { corpus } from '../../scripts/bench/memory-corpus.ts';
import { openStore, silentLog, tempDir } from './helpers.ts';

// Two workers answering 40 concurrent searches: each worker's replica has seen other searches, which once changed its
// scores (minisearch's lazy cleanup of discarded postings, see text-local.ts) — one score in 40 queries was 0.3 % off.
const pool = new SearchPool(2, silentLog);
after(() => pool.close());

type Answer = { ids: string[]; total: number; scores: number[] };

async function answers(store: MemoryStore, queries: Array<Parameters<MemoryStore['search']>[1]>): Promise<Answer[]> {
  return Promise.all(
    queries.map(async (q) => {
      const r = await store.search('u', q);
      return { ids: r.entries.map((e) => e.id), total: r.total, scores: r.entries.map((e) => e.score ?? 0) };
    }),
  );
}

function assertSame(pooled: Answer[], inThread: Answer[]): void {
  assert.equal(pooled.length, inThread.length);
  pooled.forEach((p, i) => {
    assert.deepEqual(p.ids, inThread[i]!.ids, `query ${i}: ids`);
    assert.equal(p.total, inThread[i]!.total, `query ${i}: total`);
    // Scores carry a recency weight of the moment each search ran: equal up to that drift (ms apart → < 1e-6).
    p.scores.forEach((s, j) => assert.ok(Math.abs(s - inThread[i]!.scores[j]!) <= 1e-6 * s, `query ${i}: score ${j}: ${s} vs ${inThread[i]!.scores[j]}`));
  });
}

test('pool and main thread rank the same data alike: native scan, filters, pages, deletes after load', async () => {
  const t = await tempDir();
  try {
    const text = corpus(11);
    const seed = await openStore(t.dir, { searchPool: null });
    const layers = ['short_term', 'long_term', 'semantic'] as const;
    for (let i = 0; i < NATIVE_SCAN_FROM + 500; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => seed.add('u', { id: `m${i + j}`, content: text.sentence(), layer: layers[(i + j) % 3], category: (i + j) % 5 === 0 ? 'five' : 'general', salience: ((i + j) % 10) / 10 })));
    }
    await seed.close();
    const copy = path.join(t.dir, 'copy');
    await cp(path.join(t.dir, 'memory'), path.join(copy, 'memory'), { recursive: true });
    const inThread = await openStore(t.dir, { searchPool: null });
    const pooled = await openStore(copy, { searchPool: pool });
    await wantNativeScan(silentLog);
    const queries = Array.from({ length: 40 }, (_, i) => ({
      search: i % 4 === 3 ? text.sentence().split(' ').slice(0, 6).join(' ') : `${text.word()} ${text.word()}`,
      limit: 5 + (i % 3) * 10,
      offset: i % 5 === 4 ? 7 : 0,
      layer: i % 6 === 1 ? ('long_term' as const) : undefined,
      category: i % 7 === 2 ? 'five' : undefined,
    }));
    assertSame(await answers(pooled, queries), await answers(inThread, queries));
    for (let i = 0; i < 300; i += 3) {
      await inThread.delete('u', `m${i}`);
      await pooled.delete('u', `m${i}`);
    }
    assertSame(await answers(pooled, queries), await answers(inThread, queries));
    await inThread.close();
    await pooled.close();
  } finally {
    await t.cleanup();
  }
});

test('read your writes: a search started after a write is acknowledged sees it, and a delete', async () => {
  const t = await tempDir();
  try {
    const store = await openStore(t.dir, { searchPool: pool });
    for (let i = 0; i < 50; i++) await store.add('u', { content: `background note number ${i} about gardening` });
    let seen = 0;
    let gone = 0;
    for (let i = 0; i < 60; i++) {
      const word = `zqx${i}marker`;
      // Searches of other words in flight while writing, so the write lands between them in the worker's queue.
      const noise = store.search('u', { search: 'gardening' });
      const entry = await store.add('u', { content: `the ${word} was written just now` });
      if ((await store.search('u', { search: word })).entries.some((e) => e.id === entry.id)) seen++;
      await store.delete('u', entry.id);
      if (!(await store.search('u', { search: word })).entries.some((e) => e.id === entry.id)) gone++;
      await noise;
    }
    assert.equal(seen, 60, 'every write was found by the next search');
    assert.equal(gone, 60, 'every delete was honoured by the next search');
    await store.close();
  } finally {
    await t.cleanup();
  }
});

test('a worker that dies: its searches fail with a coded 503, its replacement answers the same as before', async () => {
  const t = await tempDir();
  const own = new SearchPool(1, silentLog);
  try {
    const store = await openStore(t.dir, { searchPool: own });
    for (let i = 0; i < 30; i++) await store.add('u', { id: `n${i}`, content: `kayak trip ${i} on the river delta` });
    const before = await store.search('u', { search: 'kayak river', limit: 10 });
    const worker = (own as unknown as { slots: Array<{ worker: { terminate(): Promise<number> } }> }).slots[0]!.worker;
    // Stopped before the search reaches it: the search is posted to a worker that never answers again.
    const stopped = worker.terminate();
    const inFlight = store.search('u', { search: 'kayak river', limit: 10 });
    await stopped;
    await assert.rejects(inFlight, (error: { status?: number; code?: string }) => error.status === 503 && error.code === 'MEMORY_SEARCH_UNAVAILABLE');
    await store.add('u', { id: 'late', content: 'a kayak written after the crash' });
    const afterCrash = await store.search('u', { search: 'kayak river', limit: 40 });
    assert.ok(afterCrash.entries.some((e) => e.id === 'late'), 'the replacement has the writes made since');
    const again = await store.search('u', { search: 'kayak river', limit: 10 });
    assert.deepEqual(
      again.entries.filter((e) => e.id !== 'late').slice(0, 5).map((e) => e.id),
      before.entries.slice(0, 5).map((e) => e.id),
    );
    await store.close();
  } finally {
    await own.close();
    await t.cleanup();
  }
});
