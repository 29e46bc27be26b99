/**
 * Memory search on both drivers, same data, same run: N memories of one user (default 100,000) in the files driver,
 * copied with their vectors into PostgreSQL (`copyMemoriesToPostgres`, as `npm run store:to-postgres` does), then the
 * same hybrid queries through the same in-process search API on each — one at a time (p50/p99) and 10 at once — plus
 * what PostgreSQL adds: the catch-up of a second instance (loading the user's view, its full text and ANN index) and a
 * search on instance B right after a write on instance A (the catch-up read).
 *
 * Phases run one after another, each alone: the copy runs before any driver is loaded (a driver builds its HNSW index
 * in the background on the event loop, which would be timed as copy otherwise: a 40k copy measured 79 s beside a
 * building index and 2.7 s for 20k alone), and searches are measured once both drivers have their full text and ANN
 * indexes ready, so both answer from the same kind of index.
 *
 *   node --import tsx scripts/bench/memory-drivers.ts [--entries 100000] [--queries 300]
 *
 * PostgreSQL: BENCH_DATABASE_URL or TEST_DATABASE_URL (an admin URL; a scratch database is made and dropped), else a
 * throwaway cluster from scripts/pg-cluster.sh.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { openPool } from '../../core/db/pool.ts';
import { MemoryStore } from '../../core/memory/index.ts';
import { copyMemoriesToPostgres } from '../../core/memory/postgres/copy.ts';
import { PgMemoryStore } from '../../core/memory/postgres/store.ts';
import type { MemoryService } from '../../core/memory/service.ts';
import { corpus, rng } from './memory-corpus.ts';
import { seedMemoryFiles } from './memory-seed.ts';
import { printTable } from './stats.ts';

const { values } = parseArgs({ options: { entries: { type: 'string', default: '100000' }, queries: { type: 'string', default: '300' } } });
const N = Number(values.entries);
const QUERIES = Number(values.queries);
const log = pino({ level: 'warn' });
const text = corpus(42);
const pick = rng(99);
const USER = 'solo';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const ms = (x: number) => `${x.toFixed(2)} ms`;

function adminUrl(): { url: string; stop: () => void } {
  const given = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (given) return { url: given, stop: () => {} };
  const dir = path.join(tmpdir(), `aion-bench-pg-${process.pid}`);
  const r = spawnSync('bash', [path.join(root, 'scripts/pg-cluster.sh'), 'start', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`could not start PostgreSQL: ${r.stderr}`);
  return { url: r.stdout.trim(), stop: () => spawnSync('bash', [path.join(root, 'scripts/pg-cluster.sh'), 'stop', dir]) };
}

/** A query of 2–3 words of a random stored memory (so it has real matches). */
function queryFor(texts: string[]): string {
  const words = texts[Math.floor(pick() * texts.length)]!.split(' ').filter((w) => w.length > 4);
  const out: string[] = [];
  for (let i = 0, k = 2 + Math.floor(pick() * 2); i < k && words.length; i++) out.push(words[Math.floor(pick() * words.length)]!);
  return out.join(' ');
}

async function serial(store: MemoryService, qs: string[]): Promise<{ p50: number; p99: number }> {
  const lat: number[] = [];
  for (const [i, q] of qs.entries()) {
    const t0 = performance.now();
    await store.search(USER, { search: q, limit: 10 });
    if (i >= 20) lat.push(performance.now() - t0);
  }
  lat.sort((a, b) => a - b);
  return { p50: pct(lat, 0.5), p99: pct(lat, 0.99) };
}

/** 10 searches in flight at a time; latency of each as its caller sees it. */
async function concurrent(store: MemoryService, qs: string[]): Promise<{ p50: number; p99: number }> {
  const lat: number[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: 10 }, async () => {
    while (next < qs.length) {
      const q = qs[next++]!;
      const t0 = performance.now();
      await store.search(USER, { search: q, limit: 10 });
      lat.push(performance.now() - t0);
    }
  }));
  lat.sort((a, b) => a - b);
  return { p50: pct(lat, 0.5), p99: pct(lat, 0.99) };
}

const dir = await mkdtemp(path.join(tmpdir(), 'aion-memdrivers-'));
const cluster = adminUrl();
const dbName = `aion_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: cluster.url });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const dbUrl = Object.assign(new URL(cluster.url), { pathname: `/${dbName}` }).toString();
const poolA = openPool(dbUrl);
const poolB = openPool(dbUrl);
const phase = (label: string, t0: number) => {
  const took = performance.now() - t0;
  console.error(`${label}: ${Math.round(took)} ms`);
  return took;
};

/** Load a driver's view of the user: the first search, then its full text and ANN index ready (ms of each). */
async function warm(store: MemoryService, label: string, q: string): Promise<{ first: number; text: number; ann: number; annUsed: boolean }> {
  const t0 = performance.now();
  await store.search(USER, { search: q, limit: 10 });
  const first = phase(`${label}: first search (loads the user)`, t0);
  await store.whenIndexed();
  const text = phase(`${label}: full text ready`, t0);
  const annUsed = await store.annReady(USER);
  const ann = phase(`${label}: ANN index ${annUsed ? 'ready' : 'not used'}`, t0);
  return { first, text, ann, annUsed };
}

try {
  const texts = Array.from({ length: N }, () => text.sentence());
  const tSeed = performance.now();
  await seedMemoryFiles(dir, USER, texts, (i) => (i % 10) / 10);
  const seedMs = phase(`seeded ${N} memories in the files driver's format`, tSeed);
  const tCopy = performance.now();
  const copied = await copyMemoriesToPostgres(dir, poolA, () => {});
  const copyMs = phase(`copied ${copied.entries} entries with vectors into PostgreSQL`, tCopy);
  const qs = Array.from({ length: QUERIES + 20 }, () => queryFor(texts));

  const files = new MemoryStore({ dataDir: dir, log });
  await files.load();
  const fw = await warm(files, 'files', qs[0]!);
  const a = new PgMemoryStore({ pool: poolA, log });
  await a.load();
  const aw = await warm(a, 'PostgreSQL A', qs[0]!);

  const rows: Array<[string, string, string]> = [];
  const fs1 = await serial(files, qs);
  const pg1 = await serial(a, qs);
  rows.push([`hybrid search, ${N} entries, 1 at a time: files p50 / p99`, `${ms(fs1.p50)} / ${ms(fs1.p99)}`, 'baseline']);
  rows.push(['  same on PostgreSQL p50 / p99', `${ms(pg1.p50)} / ${ms(pg1.p99)}`, `p99 ×${(pg1.p99 / fs1.p99).toFixed(2)} of files`]);
  const fs10 = await concurrent(files, qs);
  const pg10 = await concurrent(a, qs);
  rows.push(['10 at once: files p50 / p99', `${ms(fs10.p50)} / ${ms(fs10.p99)}`, 'baseline']);
  rows.push(['  same on PostgreSQL p50 / p99', `${ms(pg10.p50)} / ${ms(pg10.p99)}`, `p99 ×${(pg10.p99 / fs10.p99).toFixed(2)} of files`]);
  // Printed now too: the second instance's catch-up below takes minutes at 100k on a loaded machine.
  for (const r of rows) console.error(r.join(' | '));
  await files.close();

  // Instance B: a second instance's catch-up (the user's view loaded from the tables), then each round A writes and
  // B searches at once (B reads the change first).
  const b = new PgMemoryStore({ pool: poolB, log });
  await b.load();
  const bw = await warm(b, 'PostgreSQL B', qs[1]!);
  const cross: number[] = [];
  for (let i = 0; i < 100; i++) {
    await a.add(USER, { content: text.sentence() });
    const t0 = performance.now();
    await b.search(USER, { search: qs[i]!, limit: 10 });
    cross.push(performance.now() - t0);
  }
  cross.sort((x, y) => x - y);
  rows.push(['PostgreSQL: B searches right after a write on A, p50 / p99', `${ms(pct(cross, 0.5))} / ${ms(pct(cross, 0.99))}`, `p99 ×${(pct(cross, 0.99) / fs1.p99).toFixed(2)} of files`]);
  rows.push([`files: seeding ${N} entries (written in the driver's format)`, `${Math.round(seedMs)} ms`, '']);
  rows.push([`PostgreSQL: copy of ${copied.entries} entries with vectors (store:to-postgres)`, `${Math.round(copyMs)} ms`, `${Math.round(copied.entries / (copyMs / 1000))} entries/s`]);
  const loads = (w: typeof fw) => `${Math.round(w.first)} / ${Math.round(w.text)} / ${Math.round(w.ann)} ms`;
  rows.push(['files: first search (loads the user) / full text / ANN ready', loads(fw), fw.annUsed ? '' : 'no ANN']);
  rows.push(['PostgreSQL A: same', loads(aw), aw.annUsed ? '' : 'no ANN']);
  rows.push(['PostgreSQL B (second instance catch-up): same', loads(bw), `ANN ×${(bw.ann / fw.ann).toFixed(2)} of files`]);
  printTable(`memory search on both drivers (${N} memories, one user)`, rows);
  await Promise.all([a.close(), b.close()]);
} finally {
  await poolA.end();
  await poolB.end();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
  cluster.stop();
  await rm(dir, { recursive: true, force: true });
}
