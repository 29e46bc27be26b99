/**
 * Exact top-k over a `RowTable`: the one scan the main thread and the search workers both run, so a search gives the
 * same hits wherever it runs. Dead slots (replaced or deleted vectors) are skipped.
 */
import { NATIVE_SCAN_FROM, nativeCandidates, quantize } from './exact-scan.ts';
import type { RowTable } from './vector-rows.ts';

/** A vector hit: entry id and cosine similarity. */
export interface VectorHit {
  id: string;
  sim: number;
}

export type AcceptId = (id: string) => boolean;

/**
 * Exact top-k, best first (ties by id): for large tables, candidates from the native int8 scan ranked by their float
 * similarity (widening the candidate set while filters, dead slots or quantisation leave too few); the JavaScript
 * loop otherwise.
 */
export function exactTopK(table: RowTable, query: Float32Array, k: number, accept: AcceptId = () => true, minSim = -Infinity): VectorHit[] {
  const n = table.used;
  if (table.live === 0 || k <= 0) return [];
  const query8 = new Int8Array(table.dims);
  quantize(query, table.scale, query8, 0);
  // Candidates ≥ 4k (at least 256): the true top-k sits inside them however quantisation reorders near-ties.
  let fetch = Math.max(k * 4, 256);
  for (;;) {
    const found = nativeCandidates(table.buffers.i8, n, table.dims, table.scale, query8, fetch);
    if (!found) return exactLoop(table, query, k, accept, minSim);
    const hits: VectorHit[] = [];
    for (let i = 0; i < found.slots.length; i++) {
      const slot = Number(found.slots[i]);
      if (!table.isLive(slot)) continue;
      const id = table.idOfSlot[slot]!;
      if (!accept(id)) continue;
      const sim = table.dot(query, slot);
      if (sim >= minSim) hits.push({ id, sim });
    }
    const last = found.approxSims[found.approxSims.length - 1] ?? -Infinity;
    // Done: enough hits with room for quantisation's reordering (4k, as for unfiltered searches), every row seen,
    // or the candidates already reach well below the floor.
    if (hits.length >= k * 4 || fetch >= n || last < minSim - 0.1) return hits.sort(byHit).slice(0, k);
    fetch = Math.min(n, fetch * 4);
  }
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
