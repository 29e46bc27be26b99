/**
 * Bundled cold start, A/B: several builds (worktrees) or V8 flag sets started in turn, interleaved (the order flips
 * every round, so a load change on a shared machine hits both sides alike), each read off the process:
 * - wall time from spawn to the first 200 of `/api/health`;
 * - the server's CPU at that moment (utime + stime of every thread, /proc/<pid>/stat): steadier than wall time when
 *   other work shares the cores;
 * - idle RSS after `--idle-ms` (default 1500, as scripts/bench/core.ts waits), split into anonymous (heap, V8 pages,
 *   malloc) and file-backed (mostly the node binary's pages: ~31 MB for `node -e 0`, ~47 MB once a server has run).
 * Prints the median of each figure and the number of starts per variant.
 *
 * Run: `node scripts/bench/start-ab.mjs [--pairs 5] [--idle-ms 1500] label=dir[:flags] …` — `dir` is a worktree with a
 * fresh `npm run build`; `flags` the node flags (default: `--max-semi-space-size=4`, as `npm start`).
 * E.g. `node scripts/bench/start-ab.mjs main=/work/main mine=. s2=.:--max-semi-space-size=2`.
 * `--profile dir` instead starts each variant once with cpu-profile.mjs stopping at the first response
 * (`CPU_PROFILE_UNTIL_FIRST_RESPONSE`) and writes `dir/<label>.cpuprofile`; summarise it with start-timeline.mjs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args.splice(i, 2)[1];
};
const pairs = Number(option('--pairs', 5));
const idleMs = Number(option('--idle-ms', 1500));
const profileDir = option('--profile', undefined);
const variants = args.map((spec) => {
  const eq = spec.indexOf('=');
  if (eq < 1) throw new Error(`expected label=dir[:flags], got ${spec}`);
  const rest = spec.slice(eq + 1);
  const colon = rest.indexOf(':');
  const dir = path.resolve(colon < 0 ? rest : rest.slice(0, colon));
  const flags = (colon < 0 ? '--max-semi-space-size=4' : rest.slice(colon + 1)).split(/\s+/).filter(Boolean);
  return { label: spec.slice(0, eq), dir, flags, wall: [], cpu: [], sched: [], rss: [], anon: [], file: [] };
});
if (!variants.length) throw new Error('usage: start-ab.mjs [--pairs N] [--idle-ms ms] [--profile dir] label=dir[:flags] …');

const CLOCK_TICKS = 100; // USER_HZ on Linux
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
/**
 * The same at nanosecond resolution: run time of every live thread (/proc/<pid>/task/<tid>/schedstat), so a few-ms
 * difference is not lost in the 10 ms tick. Threads that already exited are not counted (the tick figure counts them).
 */
function schedMs(pid) {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ns / 1e6;
}
function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
}
const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** One start of `v`: fills its figures, or throws with the server's last output when it exits first. */
async function startOnce(v, extraEnv = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aion-start-ab-'));
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...v.flags, path.join(v.dir, 'dist/server.mjs')], {
    cwd: v.dir,
    env: { ...process.env, ...extraEnv, PORT: String(port), DATA_DIR: dataDir, ENV_FILE: path.join(dataDir, '.env'), LOG_LEVEL: 'warn', PLUGINS_WATCH: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${v.label}: server exited (${child.exitCode}): ${stderr}`);
      const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.status === 200, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    v.wall.push(performance.now() - started);
    v.sched.push(schedMs(child.pid));
    v.cpu.push(cpuMs(child.pid));
    await new Promise((r) => setTimeout(r, idleMs));
    const m = rssMb(child.pid);
    v.rss.push(m.rss);
    v.anon.push(m.anon);
    v.file.push(m.file);
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (profileDir) {
  const preload = new URL('./cpu-profile.mjs', import.meta.url).pathname;
  for (const v of variants) {
    const dir = mkdtempSync(path.join(tmpdir(), 'aion-start-prof-'));
    await startOnce(v, { NODE_OPTIONS: `--import ${preload}`, CPU_PROFILE_DIR: dir, CPU_PROFILE_UNTIL_FIRST_RESPONSE: '1' });
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file) renameSync(path.join(dir, file), path.join(path.resolve(profileDir), `${v.label}.cpuprofile`));
    rmSync(dir, { recursive: true, force: true });
    console.log(`${v.label}: ${file ? path.join(profileDir, `${v.label}.cpuprofile`) : 'no profile written'}`);
  }
} else {
  for (let round = 0; round < pairs; round++) {
    for (const v of round % 2 ? [...variants].reverse() : variants) await startOnce(v);
  }
  const f = (xs, digits = 0) => median(xs).toFixed(digits);
  for (const v of variants) {
    console.log(`${v.label.padEnd(14)} n=${v.wall.length}  first 200: wall ${f(v.wall)} ms, CPU ${f(v.cpu)} ms (threads' run time ${f(v.sched, 1)})  idle RSS ${f(v.rss, 1)} MB (anon ${f(v.anon, 1)}, file ${f(v.file, 1)})  [${v.flags.join(' ')}]`);
  }
}
