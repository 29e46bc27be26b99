/**
 * Store benchmark, PostgreSQL vs lowdb files, in one run: the same seeded data (users, conversations, messages; the
 * lowdb files are written in the store layout, then copied into PostgreSQL with `store:to-postgres`'s copy), one
 * server on each, and the same load on each in turn:
 * - POST /api/messages (message writes),
 * - GET /api/conversations/:id (a conversation with its messages),
 * - GET /api/conversations (a user's list, counters derived from the messages).
 * Prints p50/p99 and req/s per driver and the PostgreSQL/lowdb ratios. Target: PostgreSQL p99 within 1.5× of lowdb's.
 *
 * PostgreSQL: BENCH_DATABASE_URL or TEST_DATABASE_URL (an admin URL: a fresh database is made and dropped), else a
 * throwaway cluster is started with scripts/pg-cluster.sh. `BENCH_SECONDS` (default 10) per phase, `BENCH_CONNECTIONS`
 * (default 20), `BENCH_PHASES` (default `write,read,list`), `BENCH_EXPLAIN` (see `explainHotStatements`).
 * Besides latency, each row gives the CPU per request of the server and of its PostgreSQL backends (from /proc): the
 * steadier figure when other work shares the machine.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type autocannon from 'autocannon';
import pino from 'pino';
import { hashPassword } from '../../core/auth/passwords.ts';
import { signToken } from '../../core/auth/tokens.ts';
import { migrate } from '../../core/db/migrate.ts';
import { openPool } from '../../core/db/pool.ts';
import type pg from 'pg';
import { cpuMs, snapshot, spentSince } from './proc-cpu.ts';
import { copyFilesToPostgres } from '../../core/store/postgres/copy-from-files.ts';
import { SQL } from '../../core/store/postgres/sql.ts';
import { startServer, type TestServer } from '../../tests/helpers/server.ts';
import { cannon, conversationLoad, printTable, type ConversationLoad, type ConversationTarget } from './stats.ts';

const USERS = 50;
const CONVERSATIONS_PER_USER = 10;
const MESSAGES_PER_CONVERSATION = 50;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** `BENCH_PHASES=read,list` measures only those phases (default: all three). */
const PHASES = (process.env.BENCH_PHASES ?? 'write,read,list').split(',').filter((p): p is 'write' | 'read' | 'list' => ['write', 'read', 'list'].includes(p));
const JWT_SECRET = `bench-secret-${randomUUID()}`;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TEXT = 'The quick brown fox jumps over the lazy dog while the agent explains the plan step by step. '.repeat(3);

type Target = ConversationTarget;

const file = (p: string, items: unknown[]) => {
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, JSON.stringify({ schemaVersion: 1, items }));
};

/** Users, conversations and messages in the lowdb store layout; a token per conversation. */
async function seed(dataDir: string): Promise<Target[]> {
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
      const t0 = now + c * 1000;
      const messages = Array.from({ length: MESSAGES_PER_CONVERSATION }, (_, i) => ({
        id: randomUUID(), conversationId, role: i % 2 ? 'assistant' : 'user', content: [{ type: 'text', text: `${i}: ${TEXT}` }],
        tokens: { input: 100, output: 80 }, metadata: {}, isEdited: false, timestamp: t0 + i, createdAt: t0 + i, updatedAt: t0 + i,
      }));
      file(path.join(store, 'messages', id, `${conversationId}.json`), messages);
      conversations.push({
        id: conversationId, title: `Conversation ${c}`, mode: 'regular', model: 'echo', provider: 'echo', isFavorite: false, isArchived: false, isPinned: false,
        messageCount: 0, preview: '', metadata: {}, createdAt: t0, updatedAt: t0,
      });
      targets.push({ token, conversationId });
    }
    file(path.join(store, 'conversations', `${id}.json`), conversations);
  }
  file(path.join(store, 'users.json'), users);
  return targets;
}

const load = (url: string, targets: Target[], phase: ConversationLoad) =>
  conversationLoad(url, targets, phase, { connections: CONNECTIONS, seconds: SECONDS, body: (n) => ({ role: n % 2 ? 'assistant' : 'user', content: `bench message ${n}: ${TEXT}` }) });

/**
 * `BENCH_EXPLAIN=1` (or `generic`: the plan every named statement gets, see core/db/pool.ts): EXPLAIN ANALYZE of the
 * statements behind the measured reads, on the seeded data, after warming them.
 */
async function explainHotStatements(pool: pg.Pool, generic: boolean): Promise<void> {
  const owner = (await pool.query("SELECT owner FROM store_documents WHERE collection = 'conversations' LIMIT 1")).rows[0].owner;
  const conv = (await pool.query("SELECT id FROM store_documents WHERE collection = 'conversations' AND owner = $1 LIMIT 1", [owner])).rows[0].id;
  const version = (await pool.query('SELECT version FROM store_partition_versions WHERE owner = $1 AND part = $2', [owner, conv])).rows[0].version;
  const show = async (label: string, text: string, values: unknown[]) => {
    const c = await pool.connect();
    try {
      if (generic) await c.query('SET plan_cache_mode = force_generic_plan');
      await c.query(`PREPARE s AS ${text}`);
      const args = values.map((v) => (v === null ? 'NULL' : c.escapeLiteral(String(v)))).join(', ');
      const plan = await c.query(`EXPLAIN (ANALYZE, BUFFERS, SUMMARY) EXECUTE s(${args})`);
      console.log(`-- ${label}\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}`);
      await c.query('DEALLOCATE s');
    } finally {
      c.release();
    }
  };
  await show('the account (verify, when not held)', SQL.get.text, ['users', '', '', owner]);
  await show('a conversation with its messages (partition held)', SQL.parentWithPartition.text, ['conversations', owner, 'messages', conv, version]);
  await show('the list with summaries', SQL.parentsWithSummaries.text, ['conversations', owner, 'messages', 'content']);
}

type Measured = autocannon.Result & { serverCpuMs: number; dbCpuMs: number };

/** The PostgreSQL backends connected to the bench database (their pids: this machine's processes). */
async function backends(admin: pg.Pool, dbName: string): Promise<number[]> {
  const { rows } = await admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [dbName]);
  return rows.map((r) => r.pid as number);
}

/** One load, with the CPU the server and the database backends spent on it per request (ms). */
async function measured(server: TestServer, targets: Target[], phase: ConversationLoad, dbPids: () => Promise<number[]>): Promise<Measured> {
  const serverPid = server.child.pid!;
  const serverBefore = cpuMs(serverPid);
  const dbBefore = snapshot(await dbPids());
  const result = await load(server.url, targets, phase);
  const requests = Math.max(1, result.requests.total);
  return { ...result, serverCpuMs: (cpuMs(serverPid) - serverBefore) / requests, dbCpuMs: spentSince(dbBefore, await dbPids()) / requests };
}

const cpuFigures = (r: Measured) => `CPU/req: server ${r.serverCpuMs.toFixed(2)} ms${r.dbCpuMs ? `, PostgreSQL ${r.dbCpuMs.toFixed(2)} ms` : ''}`;

/** A PostgreSQL admin URL: given, or a throwaway cluster (stopped by `stop`). */
function postgresServer(): { url: string; stop: () => void } {
  const given = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (given) return { url: given, stop: () => {} };
  const dir = mkdtempSync(path.join(tmpdir(), 'aion-bench-pg-'));
  rmdirSync(dir);
  const script = path.join(ROOT, 'scripts/pg-cluster.sh');
  const started = spawnSync('bash', [script, 'start', dir], { encoding: 'utf8' });
  if (started.status !== 0) throw new Error(`could not start PostgreSQL (scripts/pg-cluster.sh): ${started.stderr}`);
  return { url: started.stdout.trim(), stop: () => void spawnSync('bash', [script, 'stop', dir]) };
}

const fmt = (n: number, unit = '') => `${(n < 10 ? Math.round(n * 10) / 10 : Math.round(n)).toLocaleString('en')}${unit}`;
const figures = (r: autocannon.Result) => `${fmt(r.requests.average, ' req/s')}, p50 ${fmt(r.latency.p50, ' ms')}, p99 ${fmt(r.latency.p99, ' ms')}`;
const failures = (r: autocannon.Result) => (r.non2xx || r.errors ? `  (${r.non2xx} non-2xx, ${r.errors} errors)` : '');

async function main() {
  const filesDir = mkdtempSync(path.join(tmpdir(), 'aion-bench-files-'));
  const pgDir = mkdtempSync(path.join(tmpdir(), 'aion-bench-pgdata-'));
  const server = postgresServer();
  const admin = openPool(server.url, { max: 1 });
  const dbName = `aion_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const servers: TestServer[] = [];
  try {
    const targets = await seed(filesDir);
    await admin.query(`CREATE DATABASE ${dbName}`);
    const dbUrl = new URL(server.url);
    dbUrl.pathname = `/${dbName}`;
    const pool = openPool(dbUrl.toString(), { max: 2 });
    await migrate(pool);
    let t = performance.now();
    const report = await copyFilesToPostgres(filesDir, pool, pino({ level: 'silent' }));
    if (process.env.BENCH_EXPLAIN) await explainHotStatements(pool, process.env.BENCH_EXPLAIN === 'generic');
    await pool.end();
    console.log(`seeded ${USERS * CONVERSATIONS_PER_USER * MESSAGES_PER_CONVERSATION} messages in ${USERS * CONVERSATIONS_PER_USER} conversations of ${USERS} users; copied ${report.total} documents into PostgreSQL in ${fmt(performance.now() - t, ' ms')}`);

    const env: Record<string, string> = { JWT_SECRET, LOG_LEVEL: 'error' };
    // Profiling the servers (scripts/bench/cpu-profile.mjs) passes through.
    for (const k of ['NODE_OPTIONS', 'CPU_PROFILE_DIR', 'CPU_PROFILE_ON_SIGNAL']) if (process.env[k]) env[k] = process.env[k]!;
    const files = await startServer({ dataDir: filesDir, env: { ...env, DATABASE_URL: '' } });
    servers.push(files);
    const onPg = await startServer({ dataDir: pgDir, databaseUrl: dbUrl.toString(), env: { ...env, ...(process.env.BENCH_POOL_MAX ? { DATABASE_POOL_MAX: process.env.BENCH_POOL_MAX } : {}) } });
    servers.push(onPg);

    const rows: Array<[string, string, string]> = [];
    for (const phase of PHASES) {
      // Warm both (JIT, connections), then measure lowdb and PostgreSQL back to back under the same conditions.
      for (const s of [files, onPg]) await cannon({ url: s.url, connections: 4, amount: 200, headers: { authorization: `Bearer ${targets[0].token}` }, path: `/api/conversations/${targets[0].conversationId}` } as autocannon.Options);
      const lowdb = await measured(files, targets, phase, async () => []);
      const pg = await measured(onPg, targets, phase, () => backends(admin, dbName));
      const label = { write: 'POST /api/messages', read: 'GET /api/conversations/:id', list: 'GET /api/conversations' }[phase];
      rows.push([`${label} — lowdb`, figures(lowdb), `${cpuFigures(lowdb)}${failures(lowdb)}`]);
      rows.push([`${label} — PostgreSQL`, figures(pg), `${cpuFigures(pg)}${failures(pg)}`]);
      const ratio = pg.latency.p99 / Math.max(lowdb.latency.p99, 0.001);
      rows.push([`${label} — PostgreSQL / lowdb`, `p50 ${(pg.latency.p50 / Math.max(lowdb.latency.p50, 0.001)).toFixed(2)}×, p99 ${ratio.toFixed(2)}×, req/s ${(pg.requests.average / lowdb.requests.average).toFixed(2)}×`, ratio <= 1.5 ? 'p99 within 1.5× ✓' : 'p99 over 1.5× ✗']);
    }
    printTable(`Store: PostgreSQL vs lowdb — ${CONNECTIONS} connections, ${SECONDS} s per phase, one instance each`, rows);
  } finally {
    for (const s of servers) await s.stop().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    server.stop();
    rmSync(filesDir, { recursive: true, force: true });
    rmSync(pgDir, { recursive: true, force: true });
  }
}

await main();
