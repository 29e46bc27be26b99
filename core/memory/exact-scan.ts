/**
 * Exact vector search made fast. Every row also lives quantised to int8 (`vector-rows.ts`); above a few thousand rows
 * a search scans those in usearch's native `exactSearch` (SIMD) for a few hundred candidates, then ranks the
 * candidates by their exact float dot product. The int8 scan reads a quarter of the bytes of a float scan and is ~5×
 * faster than the native float scan, ~20× faster than a JavaScript loop (20k × 256: 0.5 ms vs 2.4 ms vs 9.9 ms).
 * One scan uses one thread: concurrency comes from the search workers, and usearch's own thread fan-out made a single
 * 20k scan slower on a loaded 2-core machine (p99 10 ms with all cores vs 2 ms with one).
 * The module loads on first need; until it has loaded, or where it cannot load, scans run the JavaScript loop.
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
 * Unit vectors' components are about ±1/√dims; mapping ±4/√dims to ±127 keeps their resolution (larger components,
 * rare, saturate — the float re-ranking corrects the order among candidates).
 */
export function scaleFor(dims: number): number {
  return (127 * Math.sqrt(dims)) / 4;
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
  slots: BigUint64Array;
  approxSims: Float32Array;
}

/**
 * The `count` best of the first `used` int8 rows by dot product with the quantised `query`; `null` when the caller
 * should scan itself (small index, or no native module).
 */
export function nativeCandidates(rows: Int8Array, used: number, dims: number, scale: number, query: Int8Array, count: number): Candidates | null {
  if (!native || used < NATIVE_SCAN_FROM) return null;
  // usearch reads a view's length but ignores its byte offset; these views start at 0.
  const matches = native.exactSearch(rows.subarray(0, used * dims), query, dims, Math.min(count, used), native.MetricKind.IP, 1) as {
    keys: BigUint64Array;
    distances: Float32Array;
  };
  // usearch's inner-product "distance" is 1 − dot; in int8 units the dot is scaled by scale².
  const s2 = scale * scale;
  const approxSims = new Float32Array(matches.distances.length);
  for (let i = 0; i < approxSims.length; i++) approxSims[i] = (1 - matches.distances[i]!) / s2;
  return { slots: matches.keys, approxSims };
}
