/**
 * ALIN messages benchmark. Seeds 100,000 messages across 1,000 conversations of 100 users straight into the store
 * files (the documented layout), starts the real server on them, and measures:
 * - start-up time with that data (to "listening", and to the first answered GET of a conversation);
 * - POST /api/messages: requests/s and p99 at 50 connections, spread over every user and conversation;
 * - GET /api/conversations/:id (100 messages each): requests/s and p99 at 50 connections — from the start (every
 *   conversation read from disk on its first GET), again with all of them loaded, and with the `Accept-Encoding` a
 *   browser sends;
 * - the POST throughput against the same run's empty store (same users and conversations, no messages).
 *
 * Run: `node_modules/.bin/node --import tsx scripts/bench/alin-messages.ts` (about 1–2 minutes).
 * `BENCH_SECONDS` changes the length of each load phase (default 15). `BENCH_PROFILE_DIR=dir` writes a CPU profile of
 * each server started here into `dir`, from its first load phase on (summarise with scripts/bench/profile-summary.mjs).
 * `MEM_TRACE_FILE=f` (and `HEAP_SAMPLE_FILE=f`) preload mem-trace.mjs into each server: its peak memory breakdown and a
 * sampling profile of what its requests allocate, by stack (summarise with scripts/bench/heap-summary.mjs).
 * `BENCH_LOOP_DELAY=1` prints the server's event-loop delay (p50/p99/max) during each phase, to tell a blocked loop from
 * queued disk writes. The server runs with the V8 flags `npm start` gives node (`--max-semi-space-size=4`: young-generation
 * size decides how often and how long a scavenge pauses every request); `BENCH_V8_FLAGS='--max-semi-space-size=16'`
 * gives it other flags instead (`BENCH_V8_FLAGS=` none: V8's defaults). `BENCH_ONLY=get` (or `warm`, `browser`, `post`, `empty`, comma-separated) runs only those phases; `BENCH_PROFILE_PHASE` picks the phase to
 * profile.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type autocannon from 'autocannon';
import { hashPassword } from '../../core/auth/passwords.ts';
import { signToken } from '../../core/auth/tokens.ts';
import { startServer, type TestServer } from '../../tests/helpers/server.ts';
import { START_FLAGS } from './bundled-server.ts';
import { conversationLoad, printTable, processCpuMs, type ConversationTarget } from './stats.ts';

const USERS = 100;
const CONVERSATIONS_PER_USER = 10;
const MESSAGES_PER_CONVERSATION = 100;
const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const JWT_SECRET = `bench-secret-${randomUUID()}`;
const SERVER_V8_FLAGS: string[] = process.env.BENCH_V8_FLAGS !== undefined ? process.env.BENCH_V8_FLAGS.split(/\s+/).filter(Boolean) : START_FLAGS;
const NODE_OPTIONS = [
  // V8 flags are allowed in NODE_OPTIONS; the tsx server of tests/helpers/server.ts gets none of its own.
  ...SERVER_V8_FLAGS,
  process.env.BENCH_PROFILE_DIR ? `--import ${new URL('./cpu-profile.mjs', import.meta.url).pathname}` : '',
  process.env.BENCH_TRACE_GC ? `--import ${new URL('./gc-trace.mjs', import.meta.url).pathname}` : '',
  process.env.BENCH_LOOP_DELAY ? `--import ${new URL('./loop-delay.mjs', import.meta.url).pathname}` : '',
  process.env.MEM_TRACE_FILE ? `--import ${new URL('./mem-trace.mjs', import.meta.url).pathname}` : '',
].filter(Boolean).join(' ');
/** Server settings a run may vary (`STORE_CACHE_MB=256 UV_THREADPOOL_SIZE=16 node … alin-messages.ts`). */
const SERVER_ENV: Record<string, string> = Object.fromEntries(
  ['STORE_CACHE_MB', 'UV_THREADPOOL_SIZE', 'MEM_TRACE_FILE', 'HEAP_SAMPLE_FILE', 'HEAP_SAMPLE_ON_SIGNAL'].filter((k) => process.env[k]).map((k) => [k, process.env[k]!]),
);
const PROFILE: Record<string, string> = {
  ...(NODE_OPTIONS ? { NODE_OPTIONS } : {}),
  ...(process.env.BENCH_PROFILE_DIR ? { CPU_PROFILE_DIR: process.env.BENCH_PROFILE_DIR, CPU_PROFILE_ON_SIGNAL: '1' } : {}),
};
const ONLY = new Set((process.env.BENCH_ONLY ?? 'empty,get,warm,browser,post').split(',').map((p) => p.trim()));
/**
 * Start the server's profiler (cpu-profile.mjs waits for SIGUSR2) before `phase`, so start-up stays out of the profile;
 * `BENCH_PROFILE_PHASE=post` profiles only the seeded POST phase (after the GET phase has loaded the conversations).
 */
const startProfiling = (s: TestServer, phase: Phase) => {
  const wanted = process.env.BENCH_PROFILE_PHASE;
  const profiling = process.env.BENCH_PROFILE_DIR || (process.env.HEAP_SAMPLE_FILE && process.env.HEAP_SAMPLE_ON_SIGNAL);
  if (profiling && (wanted ? wanted === phase : phase !== 'post')) s.child.kill('SIGUSR2');
};

/** Run `phase` and return its result with the server's CPU µs per request (`processCpuMs`). */
async function measured(s: TestServer, phase: () => Promise<autocannon.Result>): Promise<autocannon.Result & { cpuUs: number }> {
  await loopDelayMark(s);
  const cpu0 = processCpuMs(s.child.pid);
  const r = await phase();
  await loopDelayMark(s, 'phase');
  return Object.assign(r, { cpuUs: ((processCpuMs(s.child.pid) - cpu0) * 1000) / Math.max(1, r.requests.total) });
}

/**
 * With `BENCH_LOOP_DELAY=1`: ask loop-delay.mjs for the event loop's delay since the last mark (and start over); with
 * `what`, print it. (Not with BENCH_PROFILE_DIR: both listen for SIGUSR2.)
 */
async function loopDelayMark(s: TestServer, what?: string): Promise<void> {
  if (!process.env.BENCH_LOOP_DELAY) return;
  const from = s.output.length;
  s.child.kill('SIGUSR2');
  for (let i = 0; i < 100 && !/LOOPDELAY/.test(s.output.slice(from)); i++) await new Promise((r) => setTimeout(r, 10));
  const line = /LOOPDELAY (.*)/.exec(s.output.slice(from))?.[1];
  if (what) console.log(`  event-loop delay during the ${what}: ${line ?? '?'}`);
}

/** With `BENCH_TRACE_GC=1`: the server's GC pauses (`gc-trace.mjs` lines) since `from` in its output. */
function gcPauses(s: TestServer, from: number, phase: string): void {
  if (!process.env.BENCH_TRACE_GC) return;
  const pauses = [...s.output.slice(from).matchAll(/GCPAUSE (\w+) ([\d.]+)/g)]
    .map((m) => ({ kind: m[1], ms: Number(m[2]) }));
  const total = pauses.reduce((a, p) => a + p.ms, 0);
  const worst = [...pauses].sort((a, b) => b.ms - a.ms).slice(0, 5).map((p) => `${p.kind} ${p.ms.toFixed(1)}`);
  const byKind = new Map<string, { n: number; ms: number }>();
  for (const p of pauses) {
    const k = byKind.get(p.kind) ?? { n: 0, ms: 0 };
    byKind.set(p.kind, { n: k.n + 1, ms: k.ms + p.ms });
  }
  const kinds = [...byKind].map(([k, v]) => `${k} ${v.n}× ${v.ms.toFixed(0)} ms`).join(', ');
  console.log(`  GC during ${phase}: ${pauses.length} pauses, ${total.toFixed(0)} ms in all (${kinds}); longest: ${worst.join(', ')}`);
}

type Target = ConversationTarget;

const file = (p: string, items: unknown[]) => {
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, JSON.stringify({ schemaVersion: 1, items }));
};

/**
 * A conversation's messages as the store writes them today: an append-only log `<id>.jsonl` (header line, one `put`
 * record a line). `BENCH_SEED_FORMAT=json` seeds the older single-file `<id>.json` instead, which the server converts
 * on each conversation's first write — that measures the one-time migration, not the steady state.
 */
const SEED_JSON = process.env.BENCH_SEED_FORMAT === 'json';
const messageFile = (p: string, items: unknown[]) => {
  if (SEED_JSON) return file(`${p}.json`, items);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(`${p}.jsonl`, [JSON.stringify({ schemaVersion: 1 }), ...items.map((put) => JSON.stringify({ put }))].join('\n') + '\n');
};

const TEXT = 'The quick brown fox jumps over the lazy dog while the agent explains the plan step by step. '.repeat(3);

/** Write users, conversations and (optionally) messages in the store layout; returns a token per conversation. */
async function seed(dataDir: string, withMessages: boolean): Promise<Target[]> {
  const store = path.join(dataDir, 'store');
  const passwordHash = await hashPassword('bench password 1');
  const now = Date.now() - 86_400_000;
  const users: any[] = [];
  const targets: Target[] = [];
  for (let u = 0; u < USERS; u++) {
    const id = randomUUID();
    const email = `bench${u}@example.com`;
    users.push({ id, email, emailLower: email, displayName: `bench${u}`, plan: u === 0 ? 'enterprise' : 'pro', role: u === 0 ? 'admin' : 'user', isAdmin: u === 0, createdAt: now, updatedAt: now, passwordHash, tokenVersion: 0 });
    const token = await signToken({ sub: id, email, plan: 'pro', isAdmin: u === 0, tv: 0 }, new TextEncoder().encode(JWT_SECRET));
    const conversations: any[] = [];
    for (let c = 0; c < CONVERSATIONS_PER_USER; c++) {
      const conversationId = `conv-${u}-${c}`;
      const count = withMessages ? MESSAGES_PER_CONVERSATION : 0;
      const t0 = now + c * 1000;
      if (withMessages) {
        const messages = Array.from({ length: count }, (_, i) => ({
          id: randomUUID(), conversationId, role: i % 2 ? 'assistant' : 'user', content: [{ type: 'text', text: `${i}: ${TEXT}` }],
          tokens: { input: 100, output: 80 }, tokensInput: 100, tokensOutput: 80, metadata: {}, isEdited: false,
          timestamp: t0 + i, createdAt: t0 + i, updatedAt: t0 + i,
        }));
        messageFile(path.join(store, 'messages', id, conversationId), messages);
      }
      conversations.push({
        id: conversationId, title: `Conversation ${c}`, mode: 'regular', model: 'echo', provider: 'echo', isFavorite: false, isArchived: false, isPinned: false,
        messageCount: count, preview: count ? `${count - 1}: ${TEXT}`.slice(0, 200) : '', metadata: {}, createdAt: t0, updatedAt: t0 + count,
      });
      targets.push({ token, conversationId });
    }
    file(path.join(store, 'conversations', `${id}.json`), conversations);
  }
  file(path.join(store, 'users.json'), users);
  return targets;
}

/** What Chrome sends: the `browser` GET phase reads the conversations as the ALIN front-end in a browser does. */
const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br, zstd';

/** 50 connections for `SECONDS`, each request aimed at the next conversation (round robin over all 1,000). */
const load = (url: string, targets: Target[], kind: 'post' | 'get' | 'browser') =>
  conversationLoad(url, targets, kind === 'post' ? 'write' : 'read', {
    connections: CONNECTIONS,
    seconds: SECONDS,
    acceptEncoding: kind === 'browser' ? BROWSER_ACCEPT_ENCODING : undefined,
    body: (n) => ({ role: n % 2 ? 'assistant' : 'user', content: `bench message ${n}: ${TEXT}`, tokens: { input: 10, output: 20 } }),
  });

/** Boot on `dataDir`; time to "listening" and to the first answered GET of a seeded conversation. */
async function boot(dataDir: string, first: Target): Promise<{ s: TestServer; listenMs: number; firstGetMs: number }> {
  const started = performance.now();
  const s = await startServer({ dataDir, env: { JWT_SECRET, LOG_LEVEL: 'error', ...PROFILE, ...SERVER_ENV } });
  const listenMs = performance.now() - started;
  const r = await s.api('GET', `/api/conversations/${first.conversationId}`, { token: first.token });
  if (r.status !== 200) throw new Error(`seeded conversation not readable: ${r.status} ${r.text.slice(0, 200)}`);
  return { s, listenMs, firstGetMs: performance.now() - started };
}

const fmt = (n: number, unit = '') => `${Math.round(n).toLocaleString('en')}${unit}`;
const check = (r: autocannon.Result, what: string) => {
  if (r.non2xx || r.errors) console.warn(`  ${what}: ${r.non2xx} non-2xx, ${r.errors} errors`);
};

type Phase = 'empty' | 'get' | 'warm' | 'browser' | 'post';
const SKIPPED = { requests: { average: NaN, total: 0 }, throughput: { average: NaN }, latency: { p99: NaN }, cpuUs: NaN, non2xx: 0, errors: 0 } as unknown as autocannon.Result & { cpuUs: number };

/** One load phase on `s` (unless `BENCH_ONLY` leaves it out): profiled when asked, its GC pauses and errors reported. */
async function phase(s: TestServer, name: Phase, label: string, run: () => Promise<autocannon.Result>): Promise<autocannon.Result & { cpuUs: number }> {
  if (!ONLY.has(name)) return SKIPPED;
  const mark = s.output.length;
  startProfiling(s, name);
  const result = await measured(s, run);
  check(result, label);
  gcPauses(s, mark, label);
  return result;
}

async function main() {
  const emptyDir = mkdtempSync(path.join(tmpdir(), 'alin-bench-empty-'));
  const fullDir = mkdtempSync(path.join(tmpdir(), 'alin-bench-full-'));
  try {
    let t = performance.now();
    const emptyTargets = await seed(emptyDir, false);
    const targets = await seed(fullDir, true);
    console.log(`seeded ${fmt(USERS * CONVERSATIONS_PER_USER * MESSAGES_PER_CONVERSATION)} messages, ${fmt(targets.length)} conversations, ${USERS} users in ${fmt(performance.now() - t, ' ms')}`);

    const empty = await boot(emptyDir, emptyTargets[0]);
    const emptyPost = await phase(empty.s, 'empty', 'empty POST', () => load(empty.s.url, emptyTargets, 'post'));
    await empty.s.dispose();

    const full = await boot(fullDir, targets[0]);
    const getRun = await phase(full.s, 'get', 'GET', () => load(full.s.url, targets, 'get'));
    // The same again, every conversation now loaded and its body built: the first phase's first second reads all
    // 1,000 from disk (~0.65 ms of CPU each, cold-conversation.ts), and that second weighs on its p99.
    if (ONLY.has('warm') && !ONLY.has('get')) await load(full.s.url, targets, 'get');
    const warmRun = await phase(full.s, 'warm', 'GET, warm', () => load(full.s.url, targets, 'get'));
    const browserRun = await phase(full.s, 'browser', 'GET as a browser', () => load(full.s.url, targets, 'browser'));
    const fullPost = await phase(full.s, 'post', 'seeded POST', () => load(full.s.url, targets, 'post'));
    t = performance.now();
    const verify = await full.s.api('GET', `/api/conversations/${targets[1].conversationId}`, { token: targets[1].token });
    const verifyMs = performance.now() - t;
    await full.s.dispose();

    printTable(`ALIN messages — ${CONNECTIONS} connections, ${SECONDS} s per phase, server node ${SERVER_V8_FLAGS.join(' ') || '(V8 defaults)'}`, [
      ['start-up, empty store (to listening / first GET)', `${fmt(empty.listenMs, ' ms')} / ${fmt(empty.firstGetMs, ' ms')}`, ''],
      ['start-up, 100k messages (to listening / first GET)', `${fmt(full.listenMs, ' ms')} / ${fmt(full.firstGetMs, ' ms')}`, ''],
      ['POST /api/messages, empty store', `${fmt(emptyPost.requests.average, ' req/s')}, p99 ${fmt(emptyPost.latency.p99, ' ms')}`, `${fmt(emptyPost.requests.total)} requests, server CPU ${fmt(emptyPost.cpuUs, ' µs')}/request`],
      ['POST /api/messages, 100k messages', `${fmt(fullPost.requests.average, ' req/s')}, p99 ${fmt(fullPost.latency.p99, ' ms')}`, `${fmt(fullPost.requests.total)} requests, server CPU ${fmt(fullPost.cpuUs, ' µs')}/request`],
      ['POST throughput, 100k / empty', `${(fullPost.requests.average / emptyPost.requests.average).toFixed(2)}×`, ''],
      ['GET /api/conversations/:id (100 messages)', `${fmt(getRun.requests.average, ' req/s')}, p99 ${fmt(getRun.latency.p99, ' ms')}`, `${fmt(getRun.requests.total)} requests, server CPU ${fmt(getRun.cpuUs, ' µs')}/request, ${fmt(getRun.throughput.average / Math.max(1, getRun.requests.average), ' B')}/answer`],
      ['  the same again, every conversation loaded', `${fmt(warmRun.requests.average, ' req/s')}, p99 ${fmt(warmRun.latency.p99, ' ms')}`, `${fmt(warmRun.requests.total)} requests, server CPU ${fmt(warmRun.cpuUs, ' µs')}/request`],
      ['  the same, as a browser asks (Accept-Encoding: gzip, …)', `${fmt(browserRun.requests.average, ' req/s')}, p99 ${fmt(browserRun.latency.p99, ' ms')}`, `${fmt(browserRun.requests.total)} requests, server CPU ${fmt(browserRun.cpuUs, ' µs')}/request, ${fmt(browserRun.throughput.average / Math.max(1, browserRun.requests.average), ' B')}/answer`],
      ['GET after the run (messages in that conversation)', `${verify.body?.messages?.length ?? '?'} in ${fmt(verifyMs, ' ms')}`, ''],
    ]);
  } finally {
    rmSync(emptyDir, { recursive: true, force: true });
    rmSync(fullDir, { recursive: true, force: true });
  }
}

await main();
