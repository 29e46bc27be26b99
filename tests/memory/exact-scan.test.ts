/**
 * The native exact scan (int8 candidates, float re-ranking) answers what the JavaScript scan answers: recall@10 ≥ 0.98
 * on random vectors and on the local embedder's vectors of a text corpus, with filters that refuse most rows, and
 * with a similarity floor. Similarities it reports are the exact float ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { VectorIndex } from '../../core/memory/vector-index.ts';
import { LocalEmbedder } from '../../core/memory/local-embedder.ts';
import { nativeScanReady, NATIVE_SCAN_FROM } from '../../core/memory/exact-scan.ts';
import { corpus, rng } from '../../scripts/bench/memory-corpus.ts';

type Hit = { id: string; sim: number };

/** Share of the true top-k found; a hit tied with the k-th true similarity counts (ties have no order). */
function recall(found: Hit[], truth: Hit[]): number {
  if (truth.length === 0) return 1;
  const want = new Set(truth.map((h) => h.id));
  const kth = truth[truth.length - 1]!.sim;
  return Math.min(1, found.filter((h) => want.has(h.id) || h.sim >= kth - 1e-6).length / truth.length);
}

async function nativeReady(index: VectorIndex, probe: Float32Array): Promise<void> {
  index.exact(probe, 10); // asks for the native module
  for (let i = 0; i < 200 && !nativeScanReady(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(nativeScanReady(), 'usearch loaded');
}

/** Checks 30 queries; returns the mean recall@10 of the plain, the filtered and the floored searches. */
function compare(index: VectorIndex, queries: Float32Array[]): number[] {
  const sums = [0, 0, 0];
  const rare = (id: string) => Number(id.slice(1)) % 33 === 0;
  for (const query of queries) {
    const plain = index.exact(query, 10);
    sums[0] += recall(plain, index.exactLoop(query, 10));
    for (const h of plain) assert.ok(Math.abs(h.sim - index.exactLoop(query, 1, (id) => id === h.id)[0]!.sim) < 1e-6, 'exact similarity');
    // A filter that refuses 97 % of the rows makes the scan widen its candidates.
    const filtered = index.exact(query, 10, rare);
    assert.ok(filtered.every((h) => rare(h.id)));
    sums[1] += recall(filtered, index.exactLoop(query, 10, rare));
    const floor = plain[Math.min(5, plain.length - 1)]!.sim;
    const floored = index.exact(query, 10, undefined, floor);
    assert.ok(floored.every((h) => h.sim >= floor));
    sums[2] += recall(floored, index.exactLoop(query, 10, undefined, floor));
  }
  return sums.map((s) => s / queries.length);
}

test('random unit vectors: native scan recall@10 ≥ 0.98, filtered and floored too', async () => {
  const dims = 64;
  const random = rng(7);
  const unit = () => {
    const v = new Float32Array(dims).map(() => random() - 0.5);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
  const index = new VectorIndex('test', dims, { annThreshold: Infinity, log: pino({ level: 'silent' }) });
  for (let i = 0; i < NATIVE_SCAN_FROM * 3; i++) index.set(`m${i}`, unit());
  await nativeReady(index, unit());
  for (const r of compare(index, Array.from({ length: 30 }, unit))) assert.ok(r >= 0.98, `recall ${r}`);
});

test('local embedder vectors of a corpus: native scan recall@10 ≥ 0.98', async () => {
  const embedder = new LocalEmbedder();
  const text = corpus(3);
  const index = new VectorIndex(embedder.id, embedder.dims, { annThreshold: Infinity, log: pino({ level: 'silent' }) });
  const docs = Array.from({ length: NATIVE_SCAN_FROM * 2 }, () => text.sentence());
  const vectors = await embedder.embed(docs);
  vectors.forEach((v, i) => index.set(`m${i}`, v));
  const queries = await embedder.embed(Array.from({ length: 30 }, () => `${text.word()} ${text.word()}`));
  await nativeReady(index, queries[0]!);
  const recalls = compare(index, queries);
  for (const r of recalls) assert.ok(r >= 0.98, `recall ${recalls.join(' / ')}`);
});

test('rows with a component past the int8 range (clamped) are re-ranked too: the scan stops early only where its error bound holds', async () => {
  const dims = 256;
  const random = rng(11);
  const normalised = (v: Float32Array) => {
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
  const noise = () => normalised(new Float32Array(dims).map(() => random() - 0.5));
  const index = new VectorIndex('test', dims, { annThreshold: Infinity, log: pino({ level: 'silent' }) });
  for (let i = 0; i < NATIVE_SCAN_FROM * 3; i++) index.set(`m${i}`, noise());
  // Spiky rows: one component 0.95, clamped to half of it in int8, so their int8 similarity is far too low.
  const spiky = Array.from({ length: 5 }, (_, i) => `spike${i}`);
  for (const id of spiky) index.set(id, normalised(noise().map((x, d) => (d === 0 ? 0.95 : x * 0.3))));
  await nativeReady(index, noise());
  for (let q = 0; q < 10; q++) {
    const query = normalised(noise().map((x, d) => (d === 0 ? 0.3 : x)));
    const truth = index.exactLoop(query, 10);
    assert.ok(spiky.every((id) => truth.some((h) => h.id === id)), 'the spiky rows are among the true top 10');
    assert.deepEqual(index.exact(query, 10).map((h) => h.id), truth.map((h) => h.id));
  }
});

test('local embedder vectors: the top 100 (what a search asks of the scan) is the exact top 100, in order', async () => {
  const embedder = new LocalEmbedder();
  const text = corpus(5);
  const index = new VectorIndex(embedder.id, embedder.dims, { annThreshold: Infinity, log: pino({ level: 'silent' }) });
  (await embedder.embed(Array.from({ length: NATIVE_SCAN_FROM * 3 }, () => text.sentence()))).forEach((v, i) => index.set(`m${i}`, v));
  const queries = await embedder.embed(Array.from({ length: 30 }, () => `${text.word()} ${text.word()}`));
  await nativeReady(index, queries[0]!);
  for (const query of queries) {
    assert.deepEqual(index.exact(query, 100, undefined, 0.1).map((h) => h.id), index.exactLoop(query, 100, undefined, 0.1).map((h) => h.id));
  }
});
