// Idle footprint of a fresh server (not a test): start it N times on a fixed port with an empty data dir, time the
// first 200 from /api/health (wall clock, and the server's own CPU time by then — user + system off /proc, which a
// loaded machine inflates far less than the wall clock), wait 1.5 s, read VmRSS of the server process off /proc.
// Prints the medians.
//   node tests/plugin-set/measure-idle.mjs [tsx|bundle|bundle-bare] [runs]      (bundle: run `npm run build` first)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const mode = process.argv[2] ?? 'tsx';
const runs = Number(process.argv[3] ?? 5);
// `bundle` runs it with the V8 flags of `npm start` (package.json `scripts.start`); `bundle-bare` without them.
const startFlags = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start.split(/\s+/).filter((a) => a.startsWith('--'));
const args = mode === 'bundle' ? [...startFlags, path.join(ROOT, 'dist/server.mjs')]
  : mode === 'bundle-bare' ? [path.join(ROOT, 'dist/server.mjs')]
  : ['--import', 'tsx', path.join(ROOT, 'core/main.ts')];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const TICK_MS = 10; // USER_HZ is 100 on Linux
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime
};
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

async function once(port) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aion-idle-'));
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, ENV_FILE: path.join(dataDir, '.env'), LOG_LEVEL: 'warn', PLUGINS_WATCH: '0' },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error('server exited');
      const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.status === 200, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const ms = performance.now() - started;
    const cpu = cpuMs(child.pid);
    await new Promise((r) => setTimeout(r, 1500));
    return { ms, cpu, rss: rssMb(child.pid) };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results = [];
for (let i = 0; i < runs; i++) results.push(await once(17_400 + Math.floor(Math.random() * 500)));
console.log(JSON.stringify({ mode, runs, startMs: Math.round(median(results.map((r) => r.ms))), startCpuMs: median(results.map((r) => r.cpu)), idleRssMb: Math.round(median(results.map((r) => r.rss))), all: results.map((r) => [Math.round(r.ms), r.cpu, Math.round(r.rss)]) }));
