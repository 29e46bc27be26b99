/**
 * Core benchmarks (issue: core host). Every figure is printed next to a baseline measured in the same run:
 * - cold start to the first 200 from /api/health: `npm start` (tsx) and the esbuild bundle; idle RSS after start;
 * - reload of one plugin: p50/p99; 50 reloads under 50-connection load: failed requests;
 * - an authenticated GET through the whole stack vs a bare Koa handler, requests/s (autocannon).
 *
 * Run: `npm run bench` or `node --import tsx scripts/bench/core.ts`. `--only throughput` (or `cold`, `reloads`) runs one
 * part; `BENCH_PROFILE_DIR=dir` writes a CPU profile of the stack's server into `dir`, started after the warm-up
 * (summarise with scripts/bench/profile-summary.mjs).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { ROOT, startServer } from '../../tests/helpers/server.ts';
import { pluginsDir, writePlugin } from '../../tests/helpers/plugins.ts';
import { percentile, printTable, processCpuMs, recordFigure } from './stats.ts';

const NODE = process.execPath;
/** The V8 flags `npm start` gives node (package.json `scripts.start`): the bundled start is measured as users run it. */
const START_FLAGS: string[] = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start.split(/\s+/).filter((a: string) => a.startsWith('--'));

async function waitForHealth(url: string, child: ChildProcess, started: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error('server exited');
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.status === 200) return performance.now() - started;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Start a server command on a fixed free port; time to first 200 and idle RSS of the node process. */
async function coldStart(cmd: string, args: string[], port: number, env: Record<string, string> = {}): Promise<{ ms: number; rss: number }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aion-bench-'));
  const started = performance.now();
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), DATA_DIR: dataDir, ENV_FILE: path.join(dataDir, '.env'), LOG_LEVEL: 'warn', PLUGINS_WATCH: '0' },
    stdio: 'ignore',
    detached: true, // its own process group: `npm start` has a child, and both must go
  });
  try {
    const ms = await waitForHealth(`http://127.0.0.1:${port}`, child, started);
    await new Promise((r) => setTimeout(r, 1500));
    // The server reports its own RSS (under `npm start` the process we spawned is npm, not the server).
    const url = `http://127.0.0.1:${port}`;
    const signup = await fetch(`${url}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@example.com', password: 'password-123' }) });
    const { token } = (await signup.json()) as { token: string };
    const metrics = (await (await fetch(`${url}/api/system/metrics`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
    return { ms, rss: metrics.memory.processRss / 1024 / 1024 };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon(opts, (err, res) => (err ? reject(err) : resolve(res))));
}

/** A bare Koa server with one JSON handler, in its own process (as the real server is). */
async function bareKoa(): Promise<{ url: string; pid: number | undefined; stop(): void }> {
  const src = `import Koa from 'koa'; const app = new Koa(); app.use((ctx) => { ctx.body = { ok: true }; });
    const s = app.listen(0, '127.0.0.1', () => console.log('PORT ' + s.address().port));`;
  const child = spawn(NODE, ['--input-type=module', '-e', src], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout!.on('data', (d) => {
    const m = /PORT (\d+)/.exec(String(d));
    if (m) resolve(Number(m[1]));
  }));
  return { url: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => child.kill() };
}

type Row = [string, string, string];
type TestServer = Awaited<ReturnType<typeof startServer>>;

/** 1. Cold start, from sources (tsx) and from the esbuild bundle, with the idle RSS of each. */
async function benchColdStart(rows: Row[]) {
  console.error('cold start…');
  execFileSync(NODE, [path.join(ROOT, 'scripts/build.mjs'), '--server-only'], { cwd: ROOT, stdio: 'ignore' });
  const starts = { npm: [] as number[], bundle: [] as number[], rssNpm: 0, rssBundle: 0 };
  for (let i = 0; i < 3; i++) {
    const a = await coldStart('npm', ['start', '--silent'], 7311 + i, { START_FROM: 'source' });
    starts.npm.push(a.ms);
    starts.rssNpm = a.rss;
    const b = await coldStart(NODE, [...START_FLAGS, path.join(ROOT, 'dist/server.mjs')], 7321 + i);
    starts.bundle.push(b.ms);
    starts.rssBundle = b.rss;
  }
  rows.push(['cold start from sources via tsx (START_FROM=source npm start, median of 3)', `${percentile(starts.npm, 50).toFixed(0)} ms`, 'target < 1500 ms']);
  rows.push([`cold start from the esbuild bundle (node ${START_FLAGS.join(' ')}, median of 3)`, `${percentile(starts.bundle, 50).toFixed(0)} ms`, 'target < 250 ms']);
  rows.push(['idle RSS after start (tsx / bundle)', `${starts.rssNpm.toFixed(0)} / ${starts.rssBundle.toFixed(0)} MB`, 'target < 80 MB (bundle)']);
  recordFigure({ key: 'core.coldStart.bundle', what: 'cold start to first 200, bundled (baseline: tsx)', value: percentile(starts.bundle, 50), baseline: percentile(starts.npm, 50), unit: 'ms', target: '< 250 ms', better: 'lower' });
  recordFigure({ key: 'core.idleRss.bundle', what: 'idle RSS, bundled start (baseline: tsx)', value: starts.rssBundle, baseline: starts.rssNpm, unit: 'MB', target: '< 80 MB', better: 'lower' });
}

/** The bench plugin's source at version `v`. */
const benchPlugin = (v: string) => `export default { name: 'bench', version: '${v}', setup(ctx) {
  ctx.routes.get('/bench/ping', () => ({ ok: true, v: '${v}' }));
  ctx.routes.get('/bench/public', { access: 'public' }, () => ({ ok: true }));
} };`;

/** 2. Reloads of one plugin: alone (p50/p99), then 50 of them under 50-connection load (failed requests). */
async function benchReloads(rows: Row[], s: TestServer, dir: string, token: string) {
  console.error('reloads…');
  const reloadTimes: number[] = [];
  for (let i = 0; i < 40; i++) {
    writePlugin(dir, 'bench', benchPlugin(String(i)));
    const t = performance.now();
    const r = await s.api('POST', '/api/plugins/reload', { token, body: { name: 'bench' } });
    if (r.status !== 200 || !r.body.ok) throw new Error(`reload failed: ${r.text}`);
    reloadTimes.push(performance.now() - t);
  }
  rows.push(['reload one plugin (HTTP round trip incl. esbuild)', `p50 ${percentile(reloadTimes, 50).toFixed(1)} ms, p99 ${percentile(reloadTimes, 99).toFixed(1)} ms`, 'target p50 < 100 ms']);

  let reloadsDone = 0;
  const load = cannon({ url: `${s.url}/api/bench/ping`, connections: 50, duration: 6, headers: { authorization: `Bearer ${token}` } });
  const reloader = (async () => {
    for (let i = 0; i < 50; i++) {
      await s.api('POST', '/api/plugins/reload', { token, body: { name: 'bench' } });
      reloadsDone++;
      await new Promise((r) => setTimeout(r, 60));
    }
  })();
  const underLoad = await load;
  await reloader;
  rows.push(['50 reloads under 50-connection load', `${underLoad.non2xx + underLoad.errors} failed of ${underLoad.requests.total} (${reloadsDone} reloads)`, 'target 0 failed']);
}

/** 3. Authenticated GET through the whole stack vs a bare Koa handler, same machine, same run (each warmed up). */
async function benchThroughput(rows: Row[], s: TestServer, token: string) {
  console.error('throughput…');
  const bare = await bareKoa();
  await cannon({ url: bare.url, connections: 50, duration: 2 });
  const bareCpu = processCpuMs(bare.pid);
  const bareRun = await cannon({ url: bare.url, connections: 50, duration: 8 });
  const bareUs = ((processCpuMs(bare.pid) - bareCpu) * 1000) / Math.max(1, bareRun.requests.total);
  bare.stop();
  const stack = { url: `${s.url}/api/bench/ping`, connections: 50, headers: { authorization: `Bearer ${token}` } };
  await cannon({ ...stack, duration: 2 });
  if (process.env.BENCH_PROFILE_DIR) s.child.kill('SIGUSR2');
  const stackCpu = processCpuMs(s.child.pid);
  const stackRun = await cannon({ ...stack, duration: 8 });
  const stackUs = ((processCpuMs(s.child.pid) - stackCpu) * 1000) / Math.max(1, stackRun.requests.total);
  const ratio = stackRun.requests.average / bareRun.requests.average;
  // CPU per request is the steadier figure when other processes load the machine (req/s and p99 move with them).
  rows.push(['bare Koa handler (baseline)', `${bareRun.requests.average.toFixed(0)} req/s, p99 ${bareRun.latency.p99} ms`, `server CPU ${bareUs.toFixed(0)} µs/request`]);
  rows.push(['authenticated GET through the stack', `${stackRun.requests.average.toFixed(0)} req/s, p99 ${stackRun.latency.p99} ms`, `server CPU ${stackUs.toFixed(0)} µs/request`]);
  rows.push(['  ratio stack / bare Koa', `${(ratio * 100).toFixed(0)} %`, 'target ≥ 70 %']);
  recordFigure({ key: 'core.authGet.ratio', what: 'authenticated GET through the stack vs bare Koa', value: ratio * 100, unit: '%', baseline: bareRun.requests.average, baselineUnit: 'req/s bare Koa', target: '≥ 70 %', better: 'higher' });
}

/** `--only <part>`: one part of the bench; every part when absent. */
const ONLY = (() => {
  const i = process.argv.indexOf('--only');
  return i >= 0 ? process.argv[i + 1] : undefined;
})();
const runs = (part: 'cold' | 'reloads' | 'throughput') => !ONLY || ONLY === part;

/** With `BENCH_PROFILE_DIR`: the server loads cpu-profile.mjs and starts profiling at SIGUSR2 (after the warm-up). */
const PROFILE_ENV: Record<string, string> = process.env.BENCH_PROFILE_DIR
  ? { NODE_OPTIONS: `--import ${new URL('./cpu-profile.mjs', import.meta.url).pathname}`, CPU_PROFILE_DIR: process.env.BENCH_PROFILE_DIR, CPU_PROFILE_ON_SIGNAL: '1' }
  : {};

async function main() {
  const rows: Row[] = [];
  if (runs('cold')) await benchColdStart(rows);
  const dir = pluginsDir();
  writePlugin(dir, 'bench', benchPlugin('start'));
  const s = await startServer({ env: { PLUGINS_DIRS: dir, ...PROFILE_ENV } });
  const { token } = await s.signup();
  if (runs('reloads')) await benchReloads(rows, s, dir, token);
  if (runs('throughput')) await benchThroughput(rows, s, token);
  await s.dispose();
  printTable('core', rows);
}

await main().catch((e) => { console.error(e); process.exit(1); });
