/**
 * Memory search through HTTP: 20,000 memories (`--entries N`) of ~40 words for one user, then the original AION's
 * `GET /api/memory?search=…` (substring pass + hybrid search) and ALIN's `GET /api/memories?search=…` (hybrid search)
 * under 1 and 10 connections (autocannon), next to the same server's `GET /api/health`: the same-run baseline of the
 * HTTP stack itself. The memories are written in the files driver's own format (`memory-seed.ts`) while the server is
 * stopped, so the restart also shows how soon the full-text index answers.
 *
 * Run: `node --import tsx scripts/bench/memory-http.ts [--entries 20000] [--workers 0] [--only aion:1]`. `--workers`
 * sets the server's `AION_MEMORY_SEARCH_WORKERS` (0 = main thread). `BENCH_PROFILE_DIR=dir` writes a CPU profile of
 * the server into `dir`, taken after the warm-up (`--only` then profiles one phase: `aion:1`, `alin:10`, …).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { seedMemoryFiles } from './memory-seed.ts';
import { startServer } from '../../tests/helpers/server.ts';
import { corpus } from './memory-corpus.ts';
import { cannon, printTable, recordFigure } from './stats.ts';

const { values } = parseArgs({ options: { entries: { type: 'string', default: '20000' }, workers: { type: 'string', default: '0' }, only: { type: 'string' } } });
const N = Number(values.entries);
const PROFILE: Record<string, string> = process.env.BENCH_PROFILE_DIR
  ? { NODE_OPTIONS: `--import ${new URL('./cpu-profile.mjs', import.meta.url).pathname}`, CPU_PROFILE_DIR: process.env.BENCH_PROFILE_DIR, CPU_PROFILE_ON_SIGNAL: '1' }
  : {};
const env = { AION_MEMORY_SEARCH_WORKERS: values.workers!, ...PROFILE };

const endpoints = { aion: '/api/memory?limit=10&search=', alin: '/api/memories?limit=10&search=' } as const;
type Phase = { endpoint: keyof typeof endpoints; connections: number };
const phases: Phase[] = (['aion', 'alin'] as const).flatMap((endpoint) => [1, 10].map((connections) => ({ endpoint, connections })));
const wanted = values.only ? phases.filter((p) => `${p.endpoint}:${p.connections}` === values.only) : phases;

/**
 * CPU time the server process has used (user + system, all its threads), from /proc: latency on a machine shared with
 * other work measures the machine; CPU per request measures the server. 0 where /proc is not there.
 */
function serverCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in USER_HZ (100 on Linux)
  } catch {
    return 0;
  }
}

let s = await startServer({ env });
try {
  const { token } = await s.signup();
  const me = await s.api('GET', '/api/auth/me', { token });
  const text = corpus(7);
  await s.stop();
  await seedMemoryFiles(s.dataDir, me.body.user?.id ?? me.body.id, Array.from({ length: N }, () => text.sentence()), (i) => (i % 10) / 10);
  const booted = performance.now();
  s = await s.restart();
  const listening = performance.now() - booted;
  // The first search waits for the user's full-text index.
  const first = await s.api('GET', `${endpoints.alin}${text.word()}`, { token });
  const textReady = performance.now() - booted;
  if (first.status !== 200) throw new Error(`search failed: ${first.status} ${first.text}`);
  const headers = { authorization: `Bearer ${token}` };
  const requestsOf = (endpoint: keyof typeof endpoints) =>
    Array.from({ length: 200 }, () => ({ method: 'GET' as const, path: `${endpoints[endpoint]}${encodeURIComponent(`${text.word()} ${text.word()}`)}` }));
  for (const endpoint of ['aion', 'alin'] as const) await cannon({ url: s.url, connections: 10, duration: 2, headers, requests: requestsOf(endpoint) });
  const healthCpu = serverCpuMs(s.child.pid!);
  const health = await cannon({ url: `${s.url}/api/health`, connections: 10, duration: 4 });
  const healthCpuPerRequest = (serverCpuMs(s.child.pid!) - healthCpu) / Math.max(1, health.requests.total);
  if (PROFILE.CPU_PROFILE_DIR) process.kill(s.child.pid!, 'SIGUSR2');
  const rows: Array<[string, string, string]> = [
    [`start with ${N} memories: listening / first search answered`, `${listening.toFixed(0)} ms / ${textReady.toFixed(0)} ms`, ''],
    ['GET /api/health, 10 connections (baseline)', `${health.requests.average.toFixed(0)} req/s, p99 ${health.latency.p99} ms, server CPU ${healthCpuPerRequest.toFixed(2)} ms/req`, ''],
  ];
  let errors = 0;
  for (const { endpoint, connections } of wanted) {
    const cpuBefore = serverCpuMs(s.child.pid!);
    const r = await cannon({ url: s.url, connections, duration: 8, headers, requests: requestsOf(endpoint) });
    const cpuPerRequest = (serverCpuMs(s.child.pid!) - cpuBefore) / Math.max(1, r.requests.total);
    errors += r.errors + r.non2xx;
    const what = `GET ${endpoints[endpoint].split('?')[0]}?search=two words, ${connections} connection${connections > 1 ? 's' : ''}`;
    rows.push([what, `${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, server CPU ${cpuPerRequest.toFixed(2)} ms/req`, `target p99 < ${connections === 1 ? 10 : 25} ms`]);
    recordFigure({
      key: `memory.http.${endpoint}.${connections}.p99`,
      what: `memory search over HTTP (${endpoint}), 20k memories, ${connections} conn., p99 (baseline: /api/health p99)`,
      value: r.latency.p99,
      unit: 'ms',
      baseline: health.latency.p99,
      target: connections === 1 ? '< 10 ms' : '< 25 ms',
      better: 'lower',
    });
  }
  rows.push(['errors', `${errors}`, '0']);
  printTable(`memory search over HTTP (${N} memories, one user, search workers ${values.workers})`, rows);
} finally {
  await s.dispose();
}
