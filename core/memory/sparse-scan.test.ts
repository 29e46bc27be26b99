import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { quantize, scaleFor } from './exact-scan.ts';
import { bestSlots, sparseDots, SPARSE_MAX_COLUMNS } from './sparse-scan.ts';
import { allocRows, RowTable } from './vector-rows.ts';

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number) {
  return () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

/** Int8 columns of `rows` rows at `stride`, values in ±127 (the extremes included), and the same data row by row. */
function columns(next: () => number, dims: number, rows: number, stride: number) {
  const cols = new Int8Array(dims * stride).map(() => Math.round(next() * 254) - 127); // past `rows`: noise the scan must not read
  for (let j = 0; j < dims; j++) (cols[j * stride] = 127), (cols[j * stride + 1] = -127);
  return cols;
}

function dotsByLoop(cols: Int8Array, stride: number, rows: number, q8: Int8Array): number[] {
  return Array.from({ length: rows }, (_, r) => q8.reduce((s, w, j) => s + w * cols[j * stride + r]!, 0));
}

test('the column scan gives the int8 dot products of a loop, for row counts off the 16-row step and growing scratch', () => {
  const next = random(3);
  const dims = 96;
  for (const [rows, stride, nonZero] of [[17, 40, 5], [2_000, 2_048, 31], [31, 31, 1], [70_001, 70_016, SPARSE_MAX_COLUMNS], [5, 64, 3]] as const) {
    const cols = columns(next, dims, rows, stride);
    const q8 = new Int8Array(dims);
    for (let placed = 0; placed < nonZero; ) {
      const j = Math.floor(next() * dims);
      if (q8[j] === 0) (q8[j] = placed % 2 ? 127 : -127 + placed), placed++;
    }
    const dots = sparseDots(cols, stride, rows, q8);
    assert.ok(dots, `rows ${rows}`);
    assert.deepEqual(Array.from(dots), dotsByLoop(cols, stride, rows, q8), `rows ${rows}, ${nonZero} columns`);
  }
});

test(`a query with more than ${SPARSE_MAX_COLUMNS} non-zero components is left to the row scan`, () => {
  const q8 = new Int8Array(256).fill(0);
  for (let j = 0; j <= SPARSE_MAX_COLUMNS; j++) q8[j] = 1;
  assert.equal(sparseDots(new Int8Array(256 * 32), 32, 32, q8), null);
  q8[0] = 0;
  assert.ok(sparseDots(new Int8Array(256 * 32), 32, 32, q8));
});

test('bestSlots equals a full sort (largest first, ties by lower index) for every count, with ties, one value and wide ranges', () => {
  const next = random(11);
  const cases: Int32Array[] = [
    Int32Array.from({ length: 5_000 }, () => Math.round((next() - 0.5) * 40_000)),
    Int32Array.from({ length: 3_000 }, () => (next() < 0.9 ? 0 : Math.round(next() * 50))), // mostly one value
    new Int32Array(700).fill(-4),
    Int32Array.from({ length: 2_000 }, () => Math.round((next() - 0.5) * 2 ** 31)),
    new Int32Array(0),
  ];
  for (const values of cases) {
    const sorted = Array.from(values.keys()).sort((a, b) => values[b]! - values[a]! || a - b);
    for (const count of [0, 1, 10, 256, 400, 1_600, values.length - 1, values.length, values.length + 5]) {
      if (count < 0) continue;
      assert.deepEqual(Array.from(bestSlots(values, count)), sorted.slice(0, Math.max(0, count)), `n ${values.length}, count ${count}`);
    }
  }
});

test('the columns hold the int8 rows through writes, growth and compaction', () => {
  const next = random(5);
  const dims = 24;
  const table = new RowTable(allocRows(dims, 4));
  const vector = () => Float32Array.from({ length: dims }, () => (next() - 0.5) / 2);
  const check = () => {
    const { i8, cols, capacity } = table.buffers;
    for (let slot = 0; slot < table.used; slot++) for (let j = 0; j < dims; j++) assert.equal(cols[j * capacity + slot], i8[slot * dims + j], `slot ${slot}, dim ${j}`);
  };
  for (let i = 0; i < 50; i++) {
    if (table.used === table.buffers.capacity) table.adopt(table.grown(table.used + 1));
    table.assign(`m${i % 30}`, table.writeNext(vector()));
  }
  check();
  const { buffers, ids } = table.compacted(40);
  table.adopt(buffers, ids);
  assert.equal(table.used, 30);
  check();
  // And what the columns hold is the quantised vector.
  const v = vector();
  const slot = table.writeNext(v);
  const q = new Int8Array(dims);
  quantize(v, scaleFor(dims), q, 0);
  assert.deepEqual(Array.from({ length: dims }, (_, j) => table.buffers.cols[j * table.buffers.capacity + slot]), Array.from(q));
});

test('the committed kernel is the assembled sparse-scan.wat (scripts/build-wasm.mjs)', async () => {
  // @ts-expect-error: a script of the repository, JavaScript without types
  const { assemble, outputOf } = await import('../../scripts/build-wasm.mjs');
  const wat = fileURLToPath(new URL('./sparse-scan.wat', import.meta.url));
  const committed = readFileSync(outputOf(wat), 'utf8').match(/WASM_BASE64 = '([^']+)'/)?.[1];
  assert.equal(committed, await assemble(wat), 'run node scripts/build-wasm.mjs');
});
