/**
 * Two instances vs one on PostgreSQL: POST /api/messages at the same total load (CONNECTIONS connections, split
 * evenly over the instances in the two-instance run), requests/s and p99, the throughput ratio, and the check that
 * matters on a small machine — every acknowledged message is stored exactly once (nothing lost, nothing doubled).
 * On 2 shared cores two instances compete for the same CPU with PostgreSQL, so a ratio near (or below) 1 is the
 * honest expectation; the point of several instances is availability, not speed, here.
 *
 * Needs PostgreSQL: `TEST_DATABASE_URL` (an admin URL; each run makes and drops its own databases).
 * Run: `node_modules/.bin/node --import tsx scripts/bench/cluster.ts`. `BENCH_SECONDS` per phase (default 10).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { createTestDatabase } from '../../tests/helpers/pg.ts';
import { startServer, type TestServer } from '../../tests/helpers/server.ts';
import { printTable } from './stats.ts';

const USERS = 10;
const CONVERSATIONS_PER_USER = 4;
const CONNECTIONS = 20;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

interface Target {
  token: string;
  conversationId: string;
}

function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon(opts, (err, res) => (err ? reject(err) : resolve(res))));
}

async function seed(s: TestServer): Promise<Target[]> {
  const targets: Target[] = [];
  for (let u = 0; u < USERS; u++) {
    const { token } = await s.signup(`cluster-bench-${u}-${Date.now()}@example.com`);
    for (let c = 0; c < CONVERSATIONS_PER_USER; c++) {
      const conversationId = `bench-${u}-${c}`;
      const r = await s.api('POST', '/api/conversations', { token, body: { id: conversationId } });
      if (r.status !== 201) throw new Error(`conversation not created: ${r.status} ${r.text.slice(0, 200)}`);
      targets.push({ token, conversationId });
    }
  }
  return targets;
}

/** `connections` connections on one instance, round robin over the conversations; 201s are what was acknowledged. */
function load(url: string, targets: Target[], connections: number, offset: number): Promise<autocannon.Result> {
  let n = offset;
  return cannon({
    url,
    connections,
    duration: SECONDS,
    requests: [{
      setupRequest: (req: any) => {
        const t = targets[n++ % targets.length];
        return {
          ...req, method: 'POST', path: '/api/messages',
          headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ conversationId: t.conversationId, role: 'user', content: `bench ${n}` }),
        };
      },
    }],
  } as autocannon.Options);
}

async function stored(s: TestServer, targets: Target[]): Promise<number> {
  let total = 0;
  for (const t of targets) total += (await s.api('GET', `/api/conversations/${t.conversationId}`, { token: t.token })).body?.messages?.length ?? 0;
  return total;
}

async function run(instances: number) {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aion-cluster-bench-'));
  const servers: TestServer[] = [];
  try {
    for (let i = 0; i < instances; i++) servers.push(await startServer({ dataDir, databaseUrl: db.url, env: { LOG_LEVEL: 'error', SIGNUP_RATE_LIMIT: '0' } }));
    const targets = await seed(servers[0]);
    const per = CONNECTIONS / instances;
    const results = await Promise.all(servers.map((s, i) => load(s.url, targets, per, i * 7)));
    const acknowledged = results.reduce((sum, r) => sum + (r['2xx'] ?? 0), 0);
    const reqPerSec = results.reduce((sum, r) => sum + r.requests.average, 0);
    const p99 = Math.max(...results.map((r) => r.latency.p99));
    const errors = results.reduce((sum, r) => sum + r.non2xx + r.errors, 0);
    // Sent includes the requests still in flight when the run ended: stored, but not counted as acknowledged.
    const sent = results.reduce((sum, r) => sum + r.requests.sent, 0);
    return { reqPerSec, p99, acknowledged, sent, stored: await stored(servers.at(-1)!, targets), errors };
  } finally {
    for (const s of servers) await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await db.drop();
  }
}

const fmt = (n: number, unit = '') => `${Math.round(n).toLocaleString('en')}${unit}`;
const one = await run(1);
const two = await run(2);
/** Nothing lost: every acknowledged write is stored. Nothing doubled: no more stored than was sent. */
const sound = (r: typeof one) => r.stored >= r.acknowledged && r.stored <= r.sent;
const line = (label: string, r: typeof one): [string, string, string] => [
  label, `${fmt(r.reqPerSec, ' req/s')}, p99 ${fmt(r.p99, ' ms')}`,
  `acknowledged ${fmt(r.acknowledged)} ≤ stored ${fmt(r.stored)} ≤ sent ${fmt(r.sent)}: ${sound(r) ? 'nothing lost or doubled' : 'LOST OR DOUBLED'}${r.errors ? `, ${r.errors} errors` : ''}`,
];
printTable(`Cluster on PostgreSQL — POST /api/messages, ${CONNECTIONS} connections in total, ${SECONDS} s`, [
  line('one instance', one),
  line('two instances (same database, same DATA_DIR)', two),
  ['throughput, two / one', `${(two.reqPerSec / one.reqPerSec).toFixed(2)}×`, 'on 2 shared cores: no speed-up expected'],
]);
if (!sound(one) || !sound(two)) process.exit(1);
