/**
 * The cluster primitives on a real PostgreSQL, two "instances" (pools + sessions) on one database: the bus crosses
 * instances and survives a killed connection, exactly one instance leads a lease and another takes over when the
 * leader's connection dies, "run once" claims one winner, and the cluster lock excludes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { migrate } from '../../core/db/migrate.ts';
import { openPool, type Pool } from '../../core/db/pool.ts';
import { openCluster, RECONNECTED, type Cluster } from '../../core/cluster/index.ts';
import { createTestDatabase } from '../helpers/pg.ts';
import { pluginCluster } from '../../core/cluster/plugin-facility.ts';

const log = pino({ level: 'silent' });
let db: Awaited<ReturnType<typeof createTestDatabase>>;
const pools: Pool[] = [];
const clusters: Cluster[] = [];

async function instance(): Promise<{ cluster: Cluster; pool: Pool }> {
  const pool = openPool(db.url, { max: 4 });
  pools.push(pool);
  const cluster = await openCluster({ databaseUrl: db.url, pool, log });
  clusters.push(cluster);
  return { cluster, pool };
}

/** Poll `check` until it is true (each round a short sleep); fails after `rounds`. */
async function eventually(check: () => boolean | Promise<boolean>, what: string, rounds = 200): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`never happened: ${what}`);
}

before(async () => {
  db = await createTestDatabase();
  const pool = openPool(db.url);
  await migrate(pool);
  await pool.end();
});

after(async () => {
  for (const c of clusters) await c.close();
  for (const p of pools) await p.end();
  await db.drop();
});

test('without a database the cluster is this process: shared is false, the bus is local, every lease is led', async () => {
  const local = await openCluster({ log });
  assert.equal(local.shared, false);
  const got: unknown[] = [];
  local.bus.subscribe('t', (p, meta) => void got.push([p, meta.fromSelf]));
  await local.bus.publish('t', { id: 'x' });
  assert.deepEqual(got, [[{ id: 'x' }, true]]);
  let led = false;
  const lease = local.leases.lead('job', { onLead: () => (led = true), onLose: () => (led = false) });
  await eventually(() => led, 'local lead');
  await lease.release();
  assert.equal(led, false);
  assert.equal(await local.runOnce('j', '1'), true);
  assert.equal(await local.runOnce('j', '1'), false);
});

test('a message published on A reaches B (and A sees it as its own); oversized payloads are refused', async () => {
  const a = await instance();
  const b = await instance();
  const onB: unknown[] = [];
  const onA: boolean[] = [];
  b.cluster.bus.subscribe('settings', (p, meta) => void onB.push({ p, fromSelf: meta.fromSelf, from: meta.from }));
  a.cluster.bus.subscribe('settings', (_p, meta) => void onA.push(meta.fromSelf));
  await a.cluster.bus.publish('settings', { id: 'global' });
  await eventually(() => onB.length === 1 && onA.length === 1, 'delivery');
  assert.deepEqual(onB[0], { p: { id: 'global' }, fromSelf: false, from: a.cluster.instanceId });
  assert.deepEqual(onA, [true]);
  await assert.rejects(a.cluster.bus.publish('settings', { data: 'x'.repeat(5000) }), /too large/);
});

test('B keeps receiving after its bus connection is killed, and hears that it reconnected', async () => {
  const a = await instance();
  const b = await instance();
  let reconnected = 0;
  const got: string[] = [];
  b.cluster.bus.subscribe(RECONNECTED, () => void reconnected++);
  b.cluster.bus.subscribe('ping', (p) => void got.push(String(p.n)));
  await a.pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'aion-cluster' AND datname = current_database() AND pid <> pg_backend_pid()");
  await eventually(() => reconnected >= 1, 'reconnect notice');
  let n = 0;
  await eventually(async () => {
    await a.cluster.bus.publish('ping', { n: ++n });
    await new Promise((r) => setTimeout(r, 50));
    return got.length > 0;
  }, 'delivery after reconnect');
});

test('exactly one instance leads; when its connection dies another takes over within seconds', async () => {
  const a = await instance();
  const b = await instance();
  const leading = new Set<string>();
  let overlaps = 0;
  const losses: string[] = [];
  const handlers = (id: string) => ({
    onLead: () => {
      if (leading.size) overlaps++;
      leading.add(id);
    },
    onLose: () => {
      leading.delete(id);
      losses.push(id);
    },
  });
  const leaseA = a.cluster.leases.lead('telegram-polling', handlers('a'));
  const leaseB = b.cluster.leases.lead('telegram-polling', handlers('b'));
  await eventually(() => leading.size === 1, 'a leader');
  await new Promise((r) => setTimeout(r, 1500)); // a few retry rounds: nobody else may lead meanwhile
  assert.equal(leading.size, 1);
  assert.equal(Number(leaseA.isLeader()) + Number(leaseB.isLeader()), 1);
  const [leader, follower] = leaseA.isLeader() ? [a, b] : [b, a];
    const leaderId = leader === a ? 'a' : 'b';
  // Kill the leader's session on the server (its locks go with it): the leader must step down at once; then someone leads again.
  await follower.pool.query(`SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
     WHERE l.locktype = 'advisory' AND l.classid = 40 AND l.granted AND d.datname = current_database()`);
  await eventually(() => losses.includes(leaderId), 'the old leader stepping down');
  await eventually(() => leaseA.isLeader() !== leaseB.isLeader(), 'a new leader');
  // The leading process dies (its session closes): the other one takes over.
  const current = leaseA.isLeader() ? a : b;
  const survivorLease = current === a ? leaseB : leaseA;
  await current.cluster.close();
  await eventually(() => survivorLease.isLeader(), 'takeover by the survivor');
  assert.deepEqual(losses.slice(0, 1), [leaderId]);
  assert.equal(overlaps, 0);
  await leaseA.release();
  await leaseB.release();
  assert.equal(leading.size, 0);
});

test('run once: of many concurrent claims of one occurrence exactly one wins; the next occurrence is free again', async () => {
  const a = await instance();
  const b = await instance();
  const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).cluster.runOnce('scheduler:s1', '2026-12-01T10:00')));
  assert.equal(claims.filter(Boolean).length, 1);
  assert.equal(await a.cluster.runOnce('scheduler:s1', '2026-12-01T11:00'), true);
});

test('the cluster lock lets one holder in at a time across instances', async () => {
  const a = await instance();
  const b = await instance();
  let inside = 0;
  let most = 0;
  const work = (c: Cluster) => c.withLock('signup', async () => {
    most = Math.max(most, ++inside);
    await new Promise((r) => setTimeout(r, 20));
    inside--;
  });
  await Promise.all(Array.from({ length: 10 }, (_, i) => work(i % 2 ? a.cluster : b.cluster)));
  assert.equal(most, 1);
  await assert.rejects(a.cluster.withLock('signup', async () => { throw new Error('boom'); }), /boom/);
  await a.cluster.withLock('signup', async () => undefined); // released after a failure
});

test("ctx.cluster is scoped per plugin: a plugin neither hears another plugin's messages nor takes its lease", async () => {
  const a = await instance();
  const b = await instance();
  const generation = (plugin: string) => ({ plugin, retired: false, enter: async (fn: () => unknown) => fn(), ledger: { unloads: [] as Array<() => unknown> } }) as any;
  const telegramA = pluginCluster(a.cluster, generation('telegram'));
  const telegramB = pluginCluster(b.cluster, generation('telegram'));
  const evilB = pluginCluster(b.cluster, generation('evil'));
  const heard: string[] = [];
  telegramB.subscribe('restart', () => void heard.push('telegram'));
  evilB.subscribe('restart', () => void heard.push('evil'));
  await telegramA.publish('restart');
  await eventually(() => heard.includes('telegram'), 'telegram on B hearing telegram on A');
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(heard, ['telegram'], 'attempts: 1, heard by another plugin: 0');
  const evilLease = evilB.lead('polling', { onLead: () => undefined, onLose: () => undefined });
  await eventually(() => evilLease.isLeader(), 'evil leads its own lease');
  const realLease = telegramA.lead('polling', { onLead: () => undefined, onLose: () => undefined });
  await eventually(() => realLease.isLeader(), 'telegram still leads its lease');
  assert.throws(() => evilB.publish('../../agent.stop' as string), /invalid cluster topic/);
  assert.equal(await telegramA.once('job', 1), true);
  assert.equal(await evilB.once('job', 1), true, 'claims are per plugin too');
  await evilLease.release();
  await realLease.release();
});
