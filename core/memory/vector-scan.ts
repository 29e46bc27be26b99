/**
 * Exact top-k over a `RowTable`: the one scan the main thread and the search workers both run, so a search gives the
 * same hits wherever it runs. Dead slots (replaced or deleted vectors) are skipped.
 */
import { NATIVE_SCAN_FROM, nativeCandidates, quantizeQuery, type Candidates, type QuantizedQuery } from './exact-scan.ts';
import { sparseCandidates } from './sparse-scan.ts';
import { termsOf, type QueryTerms, type RowTable } from './vector-rows.ts';

/** A vector hit: entry id and cosine similarity. */
export interface VectorHit {
  id: string;
  sim: number;
}

export type AcceptId = (id: string) => boolean;

/**
 * Exact top-k, best first (ties by id): for large tables, candidates from an int8 scan (the column scan for a sparse
 * query, the native row scan otherwise: the same integer dot products) ranked by their float
 * similarity, widening the candidate set until no row outside it can matter; the JavaScript loop otherwise.
 *
 * An unclamped row's float similarity is at most its int8 similarity + `error` (`quantizeQuery`; clamped rows are
 * re-ranked always). Candidates come best int8 first, so once a candidate's bound falls below the k-th float
 * similarity in hand (or below the floor), neither it nor any candidate after it, nor any row outside the candidates,
 * can enter the top k: the re-ranking stops there. That re-ranks ~190 of the 400 candidates a k = 100 search fetches
 * (20k rows, two-word queries) instead of all 400 and often a widened 1,600 — the float pass was 40 % of a search's
 * vector time (issue #16's profile) — and the top 100 is now the exact one, in order (it differed in 5 % of queries). The scan widens (×4) only when
 * every candidate was re-ranked and a row outside could still matter; with 4k hits in hand it stops anyway (the
 * true top k sit inside them however quantisation reorders near-ties: recall@10 ≥ 0.98, tested).
 */
export function exactTopK(table: RowTable, query: Float32Array, k: number, accept: AcceptId = () => true, minSim = -Infinity): VectorHit[] {
  const n = table.used;
  if (table.live === 0 || k <= 0) return [];
  const quantized = quantizeQuery(query, table.scale);
  let fetch = Math.max(k * 4, 256);
  const terms = termsOf(query);
  for (;;) {
    const found = candidates(table, quantized, fetch);
    if (!found) return exactLoop(table, query, k, accept, minSim);
    const { hits, bounded } = rerank(table, terms, found, k, accept, minSim, quantized.error);
    const outside = (found.approxSims[found.approxSims.length - 1] ?? -Infinity) + quantized.error;
    const settled = bounded || fetch >= n || outside < minSim || hits.length >= k * 4 || (hits.length >= k && hits[k - 1]!.sim > outside);
    if (settled) return hits.slice(0, k);
    fetch = Math.min(n, fetch * 4);
  }
}

/**
 * The `fetch` best rows by int8 similarity: by the column scan when the query is sparse, else by the native row scan;
 * `null` below `NATIVE_SCAN_FROM` rows (the JavaScript loop is as fast there) or without either scan.
 */
function candidates(table: RowTable, quantized: QuantizedQuery, fetch: number): Candidates | null {
  const { buffers, used } = table;
  if (used < NATIVE_SCAN_FROM) return null;
  return sparseCandidates(buffers.cols, buffers.capacity, used, table.scale, quantized, fetch) ?? nativeCandidates(buffers.i8, used, table.dims, table.scale, quantized, fetch);
}

/**
 * The candidates' float similarities, best first, until the bound says the rest cannot matter (`bounded`: the top k
 * are then final). The clamped rows, whose int8 similarity the bound does not cover, are re-ranked first, always.
 */
function rerank(table: RowTable, terms: QueryTerms, found: Candidates, k: number, accept: AcceptId, minSim: number, error: number): { hits: VectorHit[]; bounded: boolean } {
  const hits: VectorHit[] = [];
  for (const slot of table.saturated) consider(table, terms, slot, accept, minSim, hits);
  for (let i = 0; i < found.slots.length; i++) {
    const bound = found.approxSims[i]! + error;
    if (bound < minSim || (hits.length >= k && bound < hits[k - 1]!.sim)) return { hits, bounded: true };
    const slot = Number(found.slots[i]);
    if (!table.saturated.has(slot)) consider(table, terms, slot, accept, minSim, hits);
  }
  return { hits, bounded: false };
}

/** Re-rank `slot` into `hits` when it is live, accepted and above the floor. */
function consider(table: RowTable, terms: QueryTerms, slot: number, accept: AcceptId, minSim: number, hits: VectorHit[]): void {
  if (!table.isLive(slot)) return;
  const id = table.idOfSlot[slot]!;
  if (!accept(id)) return;
  const sim = table.dotTerms(terms, slot);
  if (sim >= minSim) insertSorted(hits, { id, sim });
}

/** Insert into a best-first list (from the end: candidates come in nearly that order, so most inserts stop at once). */
function insertSorted(hits: VectorHit[], hit: VectorHit): void {
  let pos = hits.length;
  while (pos > 0 && byHit(hits[pos - 1]!, hit) > 0) pos--;
  if (pos === hits.length) hits.push(hit);
  else hits.splice(pos, 0, hit);
}

/** Exact top-k by a JavaScript scan of the float rows (small tables, or no native module). */
export function exactLoop(table: RowTable, query: Float32Array, k: number, accept: AcceptId = () => true, minSim = -Infinity): VectorHit[] {
  const n = table.used;
  const d = table.dims;
  const data = table.buffers.f32;
  // k is small: a sorted insert into a short array beats a heap here.
  const topSim: number[] = [];
  const topSlot: number[] = [];
  for (let slot = 0; slot < n; slot++) {
    let s = 0;
    const o = slot * d;
    for (let i = 0; i < d; i++) s += data[o + i]! * query[i]!;
    if (s < minSim || (topSim.length === k && s <= topSim[k - 1]!)) continue;
    if (!table.isLive(slot) || !accept(table.idOfSlot[slot]!)) continue;
    let pos = topSim.length;
    while (pos > 0 && topSim[pos - 1]! < s) pos--;
    topSim.splice(pos, 0, s);
    topSlot.splice(pos, 0, slot);
    if (topSim.length > k) {
      topSim.pop();
      topSlot.pop();
    }
  }
  return topSlot.map((slot, i) => ({ id: table.idOfSlot[slot]!, sim: topSim[i]! })).sort(byHit);
}

function byHit(a: VectorHit, b: VectorHit): number {
  return b.sim - a.sim || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
