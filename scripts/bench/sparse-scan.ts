/**
 * The column scan of sparse queries (`core/memory/sparse-scan.ts`) against usearch's native int8 row scan over the same
 * rows, by the query's non-zero components: CPU per scan (top 400), the crossing point behind `SPARSE_MAX_COLUMNS`,
 * and the local embedder's real queries (two words) next to the native scan. Both give the same integer dot products.
 *
 * Run: `node --import tsx scripts/bench/sparse-scan.ts [--rows 20000]`.
 */
import { parseArgs } from 'node:util';
import * as usearch from 'usearch';
import { quantizeQuery, scaleFor, type QuantizedQuery } from '../../core/memory/exact-scan.ts';
import { LocalEmbedder } from '../../core/memory/local-embedder.ts';
import { bestSlots, sparseDots, SPARSE_MAX_COLUMNS } from '../../core/memory/sparse-scan.ts';
import { allocRows, RowTable } from '../../core/memory/vector-rows.ts';
import { corpus, rng } from './memory-corpus.ts';
import { printTable, recordFigure } from './stats.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '20000' } } });
const N = Number(values.rows);
const DIMS = 256;
const FETCH = 400;

const embedder = new LocalEmbedder({ dims: DIMS });
const text = corpus(5);
const table = new RowTable(allocRows(DIMS, N));
for (let i = 0; i < N; i++) table.assign(`m${i}`, table.writeNext(embedder.embedOne(text.sentence())));

/** Median CPU milliseconds of `fn` over `reps` calls, after a warm-up. */
function cpuMs(fn: () => unknown, reps = 300): number {
  for (let i = 0; i < 30; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = process.cpuUsage();
    fn();
    const c = process.cpuUsage(t);
    times.push((c.user + c.system) / 1000);
  }
  return times.sort((a, b) => a - b)[reps >> 1]!;
}

const rows = table.buffers.i8.slice(0, N * DIMS); // usearch ignores a view's offset; this copy starts at 0
const native = (q: QuantizedQuery) => usearch.exactSearch(rows, q.q8, DIMS, FETCH, usearch.MetricKind.IP, 1);
const sparse = (q: QuantizedQuery) => bestSlots(sparseDots(table.buffers.cols, table.buffers.capacity, N, q.q8, Infinity)!, FETCH);

/** A random query with `nonZero` components. */
function queryWith(nonZero: number): QuantizedQuery {
  const random = rng(nonZero);
  const v = new Float32Array(DIMS);
  for (let placed = 0; placed < nonZero; ) {
    const j = Math.floor(random() * DIMS);
    if (v[j] === 0) (v[j] = random() - 0.5), placed++;
  }
  const norm = Math.hypot(...v);
  return quantizeQuery(v.map((x) => x / norm), scaleFor(DIMS));
}

const out: Array<[string, string, string]> = [];
for (const nonZero of [8, 16, 32, 64, 96, 128]) {
  const q = queryWith(nonZero);
  const a = cpuMs(() => sparse(q));
  const b = cpuMs(() => native(q));
  out.push([`${nonZero} non-zero components, top ${FETCH} of ${N}`, `columns ${a.toFixed(3)} ms, native rows ${b.toFixed(3)} ms`, `${(a / b).toFixed(2)}×`]);
}
const realQueries = Array.from({ length: 50 }, () => quantizeQuery(embedder.embedOne(`${text.word()} ${text.word()}`), scaleFor(DIMS)));
const nonZeroMean = realQueries.reduce((s, q) => s + q.q8.filter((x) => x !== 0).length, 0) / realQueries.length;
let next = 0;
const real = cpuMs(() => sparse(realQueries[next++ % realQueries.length]!));
next = 0;
const realNative = cpuMs(() => native(realQueries[next++ % realQueries.length]!));
out.push([`local embedder, two-word queries (${nonZeroMean.toFixed(0)} non-zero on average)`, `columns ${real.toFixed(3)} ms, native rows ${realNative.toFixed(3)} ms`, `${(real / realNative).toFixed(2)}×`]);
out.push(['queries past this many non-zero components take the native scan', `${SPARSE_MAX_COLUMNS}`, '']);
recordFigure({ key: 'memory.sparseScan.twoWords', what: `int8 candidate scan, ${N} rows, two-word local-embedder query (baseline: usearch row scan)`, value: real, baseline: realNative, unit: 'ms', better: 'lower' });
printTable(`int8 candidate scans, ${N} rows × ${DIMS}, CPU per scan (median)`, out);
