/**
 * `npm run bench`: every benchmark in turn, each in its own process (so one's heap does not skew the next), then the
 * issue's figures as one table (today's value next to its same-run baseline). Pass names to run some:
 * `npm run bench -- core chat-proxy`. `--json` also writes every figure and every printed row to
 * `bench-results/<date>-<commit>.json` (git-ignored) for comparison between commits.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Figure } from './stats.ts';

const dir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(dir, '../..');
// One line per bench (keeps merges of benches added on other branches trivial). A bench not on this branch is skipped.
const ALL = [
  'core',
  'footprint',
  'openai-parse',
  'anthropic-parse',
  'chat-proxy',
  'alin-messages',
  'store-postgres',
  'memory',
  'sparse-scan',
  'memory-drivers',
  'memory-http',
  'workspace',
  'web',
  'cluster',
].filter((name) => existsSync(path.join(dir, `${name}.ts`)));

const args = process.argv.slice(2);
const json = args.includes('--json');
const wanted = args.filter((a) => ALL.includes(a));
const sinkDir = mkdtempSync(path.join(tmpdir(), 'aion-bench-'));
const sink = path.join(sinkDir, 'rows.jsonl');
writeFileSync(sink, '');
const load = loadavg()[0];
let failed = 0;
for (const name of wanted.length ? wanted : ALL) {
  console.log(`\n### ${name}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, `${name}.ts`)], { stdio: 'inherit', env: { ...process.env, BENCH_ROWS_FILE: sink } });
  if (r.status !== 0) {
    failed++;
    writeFileSync(sink, `${JSON.stringify({ kind: 'failed', bench: name, status: r.status })}\n`, { flag: 'a' });
  }
}

const lines = readFileSync(sink, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
rmSync(sinkDir, { recursive: true, force: true });
const figures = lines.filter((l) => l.kind === 'figure') as Array<Figure & { kind: string }>;
printFigures(figures);
if (json) {
  const commit = git(['rev-parse', '--short', 'HEAD']) ?? 'unknown';
  const dirty = git(['status', '--porcelain'])?.length ? '-dirty' : '';
  const out = path.join(root, 'bench-results', `${new Date().toISOString().slice(0, 10)}-${commit}${dirty}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadAvgAtStart: load, loadAvgAtEnd: loadavg()[0] };
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), commit: commit + dirty, machine, figures, rows: lines.filter((l) => l.kind !== 'figure') }, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(root, out)}`);
}
process.exit(failed ? 1 : 0);

function git(argv: string[]): string | undefined {
  try {
    return execFileSync('git', argv, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

function printFigures(list: Figure[]): void {
  if (!list.length) return;
  const fmt = (v: number | undefined, unit: string) => (v === undefined || Number.isNaN(v) ? '—' : `${v >= 100 ? v.toFixed(0) : v.toFixed(v >= 10 ? 1 : 2)} ${unit}`);
  const rows = list.map((f) => [f.what, fmt(f.value, f.unit), fmt(f.baseline, f.baselineUnit ?? f.unit), f.target ?? '']);
  const head = ['figure', 'today', 'baseline (same run)', 'target'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  console.log('\n== the issue\'s figures ==');
  for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(w[i])).join('  '));
}
