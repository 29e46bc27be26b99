import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { EmbedderDefinition } from '../../core/plugin-api/types.ts';
import pino from 'pino';
import { pgMemory, type PgMemoryFixture } from './memory-helpers.ts';

let fx: PgMemoryFixture;
before(async () => (fx = await pgMemory()));
after(() => fx.dispose());

test('entries and vectors are rows; a restarted instance finds them by text and by vector', async () => {
  const a = await fx.open();
  const e = await a.add('u-restart', { content: 'Deploying the server to production happens with docker compose', category: 'ops', tags: ['infra'] });
  assert.equal(e.embedder, a.currentEmbedder().id);
  const { rows } = await fx.pool.query('SELECT e.id, v.dims, length(v.vector) AS bytes FROM memory_entries e JOIN memory_vectors v USING (user_id, id) WHERE e.user_id = $1', ['u-restart']);
  assert.deepEqual(rows, [{ id: e.id, dims: 256, bytes: 1024 }]);
  const b = await fx.open();
  // "deployment" shares only character n-grams with "Deploying": found through the vector side.
  assert.equal((await b.search('u-restart', { search: 'deployment' })).entries[0]?.id, e.id);
  assert.deepEqual(await b.get('u-restart', e.id), e);
  assert.equal(b.count('u-restart'), 1);
});

test('memory written on A is found on B at once: add, replace, delete, prune, clear', async () => {
  const a = await fx.open();
  const b = await fx.open();
  assert.equal((await b.search('u-ab', { search: 'espresso' })).total, 0); // B has loaded the (empty) user
  const e = await a.add('u-ab', { id: 'coffee', content: 'Espresso with oat milk every morning' });
  assert.equal((await b.search('u-ab', { search: 'espresso' })).entries[0]?.id, 'coffee');
  await a.add('u-ab', { id: 'coffee', content: 'Flat white on weekdays' });
  assert.equal((await b.search('u-ab', { search: 'espresso' })).total, 0);
  const replaced = (await b.search('u-ab', { search: 'flat white' })).entries[0]!;
  assert.equal(replaced.id, 'coffee');
  assert.equal(replaced.createdAt, e.createdAt, 'a replacement keeps createdAt');
  assert.equal(await b.delete('u-ab', 'coffee'), true);
  assert.equal((await a.search('u-ab', {})).total, 0);
  assert.equal(await a.delete('u-ab', 'coffee'), false);
  await b.add('u-ab', { id: 'old', content: 'expired note', expiresAt: Date.now() - 1000 });
  await b.add('u-ab', { id: 'new', content: 'current note' });
  assert.equal((await a.search('u-ab', { includeExpired: true })).total, 2);
  assert.equal(await a.prune('u-ab'), 1);
  assert.deepEqual((await b.search('u-ab', { includeExpired: true })).entries.map((x) => x.id), ['new']);
  assert.equal(await b.clear('u-ab'), 1);
  assert.equal((await a.search('u-ab', { search: 'note' })).total, 0);
  await a.add('u-ab', { id: 'after', content: 'written after the clear' });
  assert.deepEqual((await b.search('u-ab', {})).entries.map((x) => x.id), ['after']);
});

test('of concurrent creates with one id on two instances exactly one wins; the others are 409 ALREADY_EXISTS', async () => {
  const a = await fx.open();
  const b = await fx.open();
  const results = await Promise.allSettled(
    Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).create('u-race', { id: 'one', content: `attempt ${i}` })),
  );
  const won = results.filter((r) => r.status === 'fulfilled');
  assert.equal(won.length, 1);
  for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { code?: string }).code, 'ALREADY_EXISTS');
  const { rows } = await fx.pool.query('SELECT count(*)::int AS n FROM memory_entries WHERE user_id = $1', ['u-race']);
  assert.equal(rows[0].n, 1);
});

test('users never see each other\'s memories; bad input is a 400 before anything is stored', async () => {
  const a = await fx.open();
  await a.add('u-x', { content: 'Secret project codename Bluebird' });
  assert.equal((await a.search('u-y', { search: 'bluebird codename' })).total, 0);
  assert.equal(await a.get('u-y', (await a.search('u-x', {})).entries[0]!.id), undefined);
  await assert.rejects(a.add('u-x', { content: '   ' }), { status: 400 });
  await assert.rejects(a.add('u-x', { content: 'x', layer: 'cosmic' as never }), { status: 400 });
  await assert.rejects(a.add('', { content: 'x' }), { status: 400 });
  // SQL-looking input is data.
  const odd = await a.add("u-x'; DROP TABLE memory_entries; --", { id: "id' OR '1'='1", content: "Robert'); DROP TABLE memory_vectors;--" });
  assert.equal((await a.get("u-x'; DROP TABLE memory_entries; --", odd.id))?.content, odd.content);
  assert.equal((await a.search('u-x', {})).total, 1);
});

/** A deterministic 8-dim embedder: letter counts folded into 8 buckets, unit length. */
function bucketEmbedder(id: string): EmbedderDefinition & { calls: number } {
  const def = {
    id,
    dims: 8,
    calls: 0,
    isConfigured: () => true,
    async embed(texts: string[]) {
      def.calls += texts.length;
      return texts.map((t) => {
        const v = new Float32Array(8);
        for (const ch of t.toLowerCase()) if (ch >= 'a' && ch <= 'z') v[(ch.charCodeAt(0) - 97) % 8]! += 1;
        const n = Math.hypot(...v) || 1;
        return v.map((x) => x / n);
      });
    },
  };
  return def;
}

test('switching embedders re-embeds once across instances; switching back reuses the kept vectors', async () => {
  const a = await fx.open({ reembedBatch: 3 });
  const b = await fx.open({ reembedBatch: 3 });
  for (let i = 0; i < 7; i++) await a.add('u-emb', { content: `memory number ${i} about gardening and tomatoes` });
  const local = a.currentEmbedder();
  const ea = bucketEmbedder('bucket-8');
  const eb = bucketEmbedder('bucket-8');
  a.setEmbedder(ea);
  b.setEmbedder(eb);
  await Promise.all([a.whenReembedded(), b.whenReembedded()]);
  // Whichever got the lock did it; the other found nothing left when (if) it got its turn.
  const counted = await fx.pool.query("SELECT count(*)::int AS n FROM memory_entries WHERE user_id = 'u-emb' AND embedder = 'bucket-8'");
  if (counted.rows[0].n < 7) {
    // The instance that lost the lock retries every 5 s; wait for the holder's job instead of timing.
    await new Promise((r) => setTimeout(r, 6000));
    await Promise.all([a.whenReembedded(), b.whenReembedded()]);
  }
  assert.equal((await fx.pool.query("SELECT count(*)::int AS n FROM memory_entries WHERE user_id = 'u-emb' AND embedder = 'bucket-8'")).rows[0].n, 7);
  const all = (await fx.pool.query('SELECT count(*)::int AS n FROM memory_entries')).rows[0].n;
  assert.equal(ea.calls + eb.calls, all, 'each entry (of every user) embedded once in all');
  const hit = (await b.search('u-emb', { search: 'tomatoes' })).entries[0]!;
  assert.equal(hit.embedder, 'bucket-8');
  assert.equal(hit.dims, 8);
  const calls = ea.calls + eb.calls;
  a.setEmbedder(local);
  b.setEmbedder(local);
  await Promise.all([a.whenReembedded(), b.whenReembedded()]);
  assert.equal(ea.calls + eb.calls, calls);
  assert.equal((await fx.pool.query("SELECT count(*)::int AS n FROM memory_entries WHERE user_id = 'u-emb' AND embedder = $1", [local.id])).rows[0].n, 7);
});

test('without pgvector on the server (Debian 12, this cluster) the extension attempt is silent and vectors rank in process', async () => {
  const lines: Array<{ level: number; msg: string }> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const a = await fx.open({ log });
  const available = (await fx.pool.query("SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'vector'")).rows[0].n;
  assert.equal(available, 0, 'this test is about a server without pgvector');
  assert.deepEqual(lines.filter((l) => l.level >= 40).map((l) => l.msg), [], 'no warning or error at load');
  assert.ok(lines.some((l) => l.level === 20 && /pgvector not available/.test(l.msg)));
  const column = await fx.pool.query("SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'memory_vectors' AND column_name = 'embedding'");
  assert.equal(column.rows[0].n, 0);
  await a.add('u-pgv', { id: 'd', content: 'Deploying the server to production with docker compose' });
  assert.equal((await a.search('u-pgv', { search: 'deployment' })).entries[0]?.id, 'd', 'found through the in-process vectors');
  assert.deepEqual(lines.filter((l) => l.level >= 40).map((l) => l.msg), []);
});
