/**
 * The int8 candidate scan for a sparse query. A short query embedded by the local embedder has a few dozen non-zero
 * components of 256 (two words: ~31), and a row's int8 dot product with it only needs those columns. The rows are
 * also kept column by column (`RowBuffers.cols`), so the scan reads `nonzero × rows` bytes instead of the whole table
 * (20k rows, 31 columns: 0.6 MB instead of 5 MB, which the native row scan reads at memory speed), and a WebAssembly
 * SIMD kernel (`sparse-scan.wat`) sums sixteen rows at a time. The sums are the same integers the native scan
 * computes, so the candidates, and everything the re-ranking makes of them, are the same (`vector-scan.ts`).
 *
 * Each thread has its own instance and scratch memory: the columns a query needs are copied into it (a memcpy each),
 * which keeps the shared row buffers plain SharedArrayBuffers the search workers already receive.
 */
import type { Candidates, QuantizedQuery } from './exact-scan.ts';
import { WASM_BASE64 } from './sparse-scan-wasm.ts';

/**
 * Above this many non-zero query components the native row scan is faster: the column scan cost 0.68× the native
 * one at 64 and 1.10× at 96 over 20k rows, 0.87× and 1.37× over 100k (`scripts/bench/sparse-scan.ts`). A dense
 * embedding model's queries always take the native scan; a two-word query of the local embedder has ~31.
 */
export const SPARSE_MAX_COLUMNS = 64;

interface Kernel {
  memory: WebAssembly.Memory;
  scan: (cols: number, stride: number, count: number, weights: number, out: number, rows: number) => void;
}

let kernel: Kernel | null | undefined;

/** The kernel of this thread, instantiated on first use; `null` where WebAssembly SIMD is missing. */
function kernelHere(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const module = new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
    const instance = new WebAssembly.Instance(module, {});
    kernel = instance.exports as unknown as Kernel;
  } catch {
    kernel = null;
  }
  return kernel;
}

/** The query's non-zero components: their column numbers and int8 weights; `null` when there are too many. */
function nonZero(q8: Int8Array, maxColumns: number): { columns: number[]; weights: number[] } | null {
  const columns: number[] = [];
  const weights: number[] = [];
  for (let j = 0; j < q8.length; j++) {
    if (q8[j] === 0) continue;
    if (columns.length === maxColumns) return null;
    columns.push(j);
    weights.push(q8[j]!);
  }
  return { columns, weights };
}

/** Grow the kernel's memory to at least `bytes`. */
function reserve(k: Kernel, bytes: number): void {
  const have = k.memory.buffer.byteLength;
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / 65_536));
}

/**
 * The int8 dot products of the query with rows `[0, used)` of `cols` (column `j` at `j · stride`), in `out`'s first
 * `used` entries; `null` when the query is not sparse or the kernel is missing. `out` is scratch, valid until the
 * next call on this thread. `maxColumns` moves the limit (the bench times the scan past it).
 */
export function sparseDots(cols: Int8Array, stride: number, used: number, q8: Int8Array, maxColumns = SPARSE_MAX_COLUMNS): Int32Array | null {
  const k = kernelHere();
  const picked = k && nonZero(q8, maxColumns);
  if (!k || !picked) return null;
  const rows = Math.ceil(used / 16) * 16;
  const count = picked.columns.length;
  const weightsAt = count * rows;
  const outAt = weightsAt + count * 4;
  reserve(k, outAt + rows * 4);
  const bytes = new Int8Array(k.memory.buffer);
  picked.columns.forEach((column, i) => {
    bytes.set(cols.subarray(column * stride, column * stride + used), i * rows);
    bytes.fill(0, i * rows + used, (i + 1) * rows); // rows past `used` hold an earlier query's bytes
  });
  new Int32Array(k.memory.buffer, weightsAt, count).set(picked.weights);
  k.scan(0, rows, count, weightsAt, outAt, rows);
  return new Int32Array(k.memory.buffer, outAt, used);
}

/**
 * The `count` best rows by int8 dot product, best first, as `Candidates` (similarities in the units of
 * `nativeCandidates`'); `null` when the query is not sparse (the caller scans natively).
 */
export function sparseCandidates(cols: Int8Array, stride: number, used: number, rowScale: number, query: QuantizedQuery, count: number): Candidates | null {
  const dots = sparseDots(cols, stride, used, query.q8);
  if (!dots) return null;
  const slots = bestSlots(dots, count);
  const units = rowScale * query.scale;
  const approxSims = new Float32Array(slots.length);
  for (let i = 0; i < slots.length; i++) approxSims[i] = dots[slots[i]!]! / units;
  return { slots, approxSims };
}

const BINS = 1024;
/**
 * A row number below 2^26 and a value of magnitude below 2^26 pack exactly into one double (< 2^52), which sorts
 * natively; a column scan's sums stay far inside (|dot| ≤ 127² · 64 < 2^20).
 */
const ROW_SPAN = 2 ** 26;
const VALUE_SPAN = 2 ** 26;

/**
 * The indices of the `count` largest values, largest first (ties: lower index first). Selection by histogram: one
 * pass counts the values into 1,024 bins between the smallest and the largest, which says which bins hold the
 * winners for sure and which one bin holds the cut; only that bin's values are looked at again, in a narrower
 * histogram. A heap of the best so far cost 4× the column scan itself.
 */
export function bestSlots(values: Int32Array, count: number): Uint32Array {
  const chosen: number[] = [];
  // The values still in question and their indices (`null` in the first round: every value, at its own index).
  let vals = values;
  let indices: Uint32Array | null = null;
  let need = Math.min(count, values.length);
  while (need > 0) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (vals.length <= need || lo === hi) {
      for (let i = 0; i < Math.min(vals.length, need); i++) chosen.push(indices ? indices[i]! : i); // a tie's lowest first
      break;
    }
    let shift = 0;
    while ((hi - lo) >>> shift >= BINS) shift++; // >>>: a difference of two int32 can pass 2^31
    const counts = new Uint32Array(BINS);
    for (let i = 0; i < vals.length; i++) counts[(vals[i]! - lo) >>> shift]!++;
    let cut = (hi - lo) >>> shift;
    let above = 0;
    while (above + counts[cut]! < need) above += counts[cut--]!;
    const nextVals = new Int32Array(counts[cut]!);
    const nextIndices = new Uint32Array(nextVals.length);
    let filled = 0;
    for (let i = 0; i < vals.length; i++) {
      const bin = (vals[i]! - lo) >>> shift;
      if (bin < cut) continue;
      const index = indices ? indices[i]! : i;
      if (bin > cut) chosen.push(index);
      else {
        nextVals[filled] = vals[i]!;
        nextIndices[filled++] = index;
      }
    }
    need -= above;
    vals = nextVals;
    indices = nextIndices;
  }
  return byValueThenIndex(values, chosen);
}

/** `chosen` sorted largest value first, ties by lower index; packed into doubles for a numeric sort where they fit. */
function byValueThenIndex(values: Int32Array, chosen: number[]): Uint32Array {
  const out = new Uint32Array(chosen.length);
  if (!chosen.every((index) => index < ROW_SPAN && Math.abs(values[index]!) < VALUE_SPAN)) {
    out.set(chosen.sort((a, b) => values[b]! - values[a]! || a - b));
    return out;
  }
  const keys = new Float64Array(chosen.length);
  for (let i = 0; i < keys.length; i++) keys[i] = -values[chosen[i]!]! * ROW_SPAN + chosen[i]!;
  keys.sort();
  for (let i = 0; i < keys.length; i++) out[i] = keys[i]! - Math.floor(keys[i]! / ROW_SPAN) * ROW_SPAN;
  return out;
}
