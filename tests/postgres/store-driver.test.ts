/**
 * The PostgreSQL driver's contract, with two stores (two pools, as two instances) on one fresh database: atomic
 * create-if-absent, functional updates that never lose one, scoping by user and partition, and the same results as
 * the file driver for the same calls.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import type { PartitionedCollection } from '../../core/plugin-api/types.ts';
import type { DocumentStore, ManyPartitions } from '../../core/store/driver.ts';
import { openStore } from '../../core/store/open.ts';
import { createTestDatabase } from '../helpers/pg.ts';

const log = pino({ level: 'silent' });
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let a: DocumentStore;
let b: DocumentStore;
before(async () => {
  db = await createTestDatabase();
  [a, b] = await Promise.all([openStore(log, { dataDir: '/nonexistent', databaseUrl: db.url }), openStore(log, { dataDir: '/nonexistent', databaseUrl: db.url })]);
});
after(async () => {
  await a.close();
  await b.close();
  await db.drop();
});

test('functional updates from two instances at once: none is lost', async () => {
  await a.collection<{ id: string; n: number }>('counters').put({ id: 'c', n: 0 });
  await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).collection<{ id: string; n: number }>('counters').update('c', (d) => ({ ...d, n: d.n + 1 }))));
  assert.equal((await b.collection<{ id: string; n: number }>('counters').get('c'))?.n, 60);
});

test('createIfAbsent with one id on two instances: exactly one creates, the others get the winner', async () => {
  const claims = (s: DocumentStore) => s.forUser('u1').collection<{ id: string; by: number }>('claims');
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => claims(i % 2 ? a : b).createIfAbsent({ id: 'x', by: i })));
  const created = results.filter((r) => r.created);
  assert.equal(created.length, 1);
  const winner = created[0].created ? created[0].doc.by : -1;
  for (const r of results) if (!r.created) assert.equal(r.existing.by, winner);
  await assert.rejects(claims(a).insert({ id: 'x', by: 0 }), (e: any) => e.status === 409);
});

test('users and partitions are separate; keys, usersWith, dropPartition, deleteWhere, count, order', async () => {
  const msgs = (u: string, k: string) => a.forUser(u).partitioned<{ id: string; t: number }>('msgs').partition(k);
  for (let i = 0; i < 5; i++) await msgs('u2', 'p1').insert({ id: `m${i}`, t: i });
  await msgs('u2', 'p2').insert({ id: 'm0', t: 99 }); // the same id in another partition is another document
  await msgs('u3', 'p1').insert({ id: 'other', t: 0 });
  assert.deepEqual((await msgs('u2', 'p1').all()).map((d) => d.id), ['m0', 'm1', 'm2', 'm3', 'm4']);
  assert.equal((await msgs('u2', 'p2').get('m0'))?.t, 99);
  assert.equal(await msgs('u3', 'p1').get('m1'), undefined, 'another user sees nothing of u2');
  assert.deepEqual(await b.forUser('u2').partitioned('msgs').keys(), ['p1', 'p2']);
  assert.deepEqual(await b.usersWith('msgs'), ['u2', 'u3']);
  assert.equal(await msgs('u2', 'p1').deleteWhere((d) => d.t % 2 === 0), 3);
  assert.equal(await msgs('u2', 'p1').count(), 2);
  await b.forUser('u2').partitioned('msgs').dropPartition('p2');
  assert.deepEqual(await a.forUser('u2').partitioned('msgs').keys(), ['p1']);
  const snap = await msgs('u2', 'p1').snapshot();
  assert.ok(Object.isFrozen(snap[0]), 'snapshot documents are read-only');
  assert.equal(await a.hasUserData(), true);
});

test('the same calls give the same results on the file driver', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'aion-store-cmp-'));
  const files = await openStore(log, { dataDir: dir, databaseUrl: '' });
  try {
    const script = async (s: DocumentStore) => {
      const c = s.forUser('cmp').collection<{ id: string; v?: number; w?: string }>('things');
      await c.insert({ id: 'a', v: 1 });
      await c.put({ id: 'b', v: 2 });
      await c.put({ id: 'a', v: 3 }); // keeps its place
      await c.update('b', { w: 'x' });
      await c.update('b', (d) => ({ ...d, v: (d.v ?? 0) + 10 }));
      const missing = await c.update('nope', { v: 1 });
      const deleted = [await c.delete('zzz'), await c.delete('a')];
      await c.insert({ id: 'c', v: 5 });
      const parts = s.forUser('cmp').partitioned<{ id: string; n: number }>('cmp-parts') as PartitionedCollection<{ id: string; n: number }> & ManyPartitions<{ id: string; n: number }>;
      for (const [key, n] of [['p2', 2], ['p1', 1], ['p1', 3]] as const) await parts.partition(key).insert({ id: `d${n}`, n });
      const many = Object.fromEntries(await parts.snapshotMany(['p1', 'nothing', 'p2']));
      return { all: await c.all(), found: await c.find((d) => (d.v ?? 0) > 6), count: await c.count(), missing, deleted, many };
    };
    assert.equal(files.driver, 'files');
    assert.deepEqual(await script(a), await script(files));
  } finally {
    await files.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
