/**
 * Exact vector search made fast. Every row also lives quantised to int8 (`vector-rows.ts`); above a few thousand rows
 * a search scans those in usearch's native `exactSearch` (SIMD) for a few hundred candidates, then ranks the
 * candidates by their exact float dot product. The int8 scan reads a quarter of the bytes of a float scan and is ~5×
 * faster than the native float scan, ~20× faster than a JavaScript loop (20k × 256: 0.5 ms vs 2.4 ms vs 9.9 ms).
 * One scan uses one thread: concurrency comes from the search workers, and usearch's own thread fan-out made a single
 * 20k scan slower on a loaded 2-core machine (p99 10 ms with all cores vs 2 ms with one).
 * The module loads on first need; until it has loaded, or where it cannot load, scans run the JavaScript loop.
 * A sparse query (a short text of the local embedder) skips the row scan for the column scan of `sparse-scan.ts`,
 * which reads only the columns it needs and finds the same candidates.
 */
import type { Logger } from 'pino';
import { loadAnn } from './ann.ts';

type UsearchModule = typeof import('usearch');

/** Below this many rows a JavaScript loop is as fast as the native call (< 1 ms). */
export const NATIVE_SCAN_FROM = 2_000;

let native: UsearchModule | null = null;
let loading: Promise<void> | null = null;

/** Start loading the native module (once); scans use it as soon as it is there. Resolves when settled. */
export function wantNativeScan(log: Pick<Logger, 'warn'>): Promise<void> {
  loading ??= loadAnn(log).then((mod) => {
    native = mod;
  });
  return loading;
}

/** Whether scans run natively now. */
export function nativeScanReady(): boolean {
  return native !== null;
}

/**
 * Unit vectors' components are about ±1/√dims; mapping ±8/√dims to ±127 keeps their resolution and leaves almost no
 * row clamped. At ±4/√dims a third of the local embedder's rows (short texts: a few heavy buckets) had a clamped
 * component, whose int8 similarity can be off by 10× the rounding bound; the scan now trusts that bound to stop
 * re-ranking early, and re-ranks the few clamped rows always (`RowTable.saturated`).
 */
export function scaleFor(dims: number): number {
  return (127 * Math.sqrt(dims)) / 8;
}

/** Quantise `vector` into `out` at `offset`. */
export function quantize(vector: Float32Array, scale: number, out: Int8Array, offset: number): void {
  for (let i = 0; i < vector.length; i++) {
    const q = Math.round(vector[i]! * scale);
    out[offset + i] = q > 127 ? 127 : q < -127 ? -127 : q;
  }
}

/** Candidate rows, best first, with their approximate (int8) similarities. */
export interface Candidates {
  /** Slot numbers (usearch answers in 64-bit keys). */
  slots: BigUint64Array | Uint32Array;
  approxSims: Float32Array;
}

/** A query quantised for the int8 scan, with how far an int8 similarity can be from the float one. */
export interface QuantizedQuery {
  q8: Int8Array;
  /** The query's own scale: its largest component maps to ±127 (no saturation, full resolution). */
  scale: number;
  /**
   * An upper bound of |approximate − exact| similarity for any row quantised at `rowScale` without saturation: the
   * rows' rounding seen through the query (‖q‖₁ · ½ / rowScale), the query's actual rounding seen through a unit row
   * (‖e‖₂ / scale, Cauchy–Schwarz), and their product. A row outside the candidates is at most this much better
   * than the last candidate, which is what lets a scan stop without looking further.
   */
  error: number;
}

/** Quantise a query at its own scale and bound the error of its int8 similarities (see `QuantizedQuery`). */
export function quantizeQuery(query: Float32Array, rowScale: number): QuantizedQuery {
  let max = 0;
  let l1 = 0;
  for (let i = 0; i < query.length; i++) {
    const a = Math.abs(query[i]!);
    l1 += a;
    if (a > max) max = a;
  }
  const scale = max > 0 ? 127 / max : 1;
  const q8 = new Int8Array(query.length);
  let e2 = 0;
  let e1 = 0;
  for (let i = 0; i < query.length; i++) {
    const q = Math.round(query[i]! * scale);
    q8[i] = q;
    const e = Math.abs(q - query[i]! * scale);
    e2 += e * e;
    e1 += e;
  }
  const error = (0.5 * l1) / rowScale + Math.sqrt(e2) / scale + (0.5 * e1) / (rowScale * scale);
  return { q8, scale, error };
}

/**
 * The `count` best of the first `used` int8 rows by dot product with the quantised `query`; `null` when the caller
 * should scan itself (small index, or no native module).
 */
export function nativeCandidates(rows: Int8Array, used: number, dims: number, rowScale: number, query: QuantizedQuery, count: number): Candidates | null {
  if (!native || used < NATIVE_SCAN_FROM) return null;
  // usearch reads a view's length but ignores its byte offset; these views start at 0.
  const matches = native.exactSearch(rows.subarray(0, used * dims), query.q8, dims, Math.min(count, used), native.MetricKind.IP, 1) as {
    keys: BigUint64Array;
    distances: Float32Array;
  };
  // usearch's inner-product "distance" is 1 − dot, the dot of the int8 values (scaled by both scales).
  const units = rowScale * query.scale;
  const approxSims = new Float32Array(matches.distances.length);
  for (let i = 0; i < approxSims.length; i++) approxSims[i] = (1 - matches.distances[i]!) / units;
  return { slots: matches.keys, approxSims };
}
