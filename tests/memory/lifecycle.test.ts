import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile, appendFile } from 'node:fs/promises';
import path from 'node:path';
import type { EmbedderDefinition } from '../../core/plugin-api/types.ts';
import { LocalEmbedder } from '../../core/memory/index.ts';
import { openStore, tempDir } from './helpers.ts';

test('paging: newest first, limit/offset, total; order by salience', async () => {
  const { dir, cleanup } = await tempDir();
  const store = await openStore(dir);
  try {
    for (let i = 0; i < 25; i++) {
      await store.add('u', { id: `m${i}`, content: `note number ${i} about gardening`, salience: (i % 5) / 5 });
      // Until the clock has moved on: a 1 ms timer runs off libuv's cached loop time and can fire within the same
      // millisecond of Date.now(), which left two entries with one createdAt (a CI failure of this test).
      for (const at = Date.now(); Date.now() === at; ) await new Promise((r) => setTimeout(r, 1));
    }
    const page1 = await store.search('u', { limit: 10 });
    assert.equal(page1.total, 25);
    assert.deepEqual(page1.entries.map((e) => e.id), ['m24', 'm23', 'm22', 'm21', 'm20', 'm19', 'm18', 'm17', 'm16', 'm15']);
    const page3 = await store.search('u', { limit: 10, offset: 20 });
    assert.deepEqual(page3.entries.map((e) => e.id), ['m4', 'm3', 'm2', 'm1', 'm0']);
    const bySalience = await store.search('u', { order: 'salience', limit: 5 });
    assert.ok(bySalience.entries.every((e) => e.salience === 0.8));
    const hits = await store.search('u', { search: 'gardening', limit: 7, offset: 14 });
    assert.equal(hits.total, 25);
    assert.equal(hits.entries.length, 7);
    const all = await store.search('u', { search: 'gardening', limit: 100 });
    assert.equal(new Set(all.entries.map((e) => e.id)).size, 25);
  } finally {
    await store.close();
    await cleanup();
  }
});

test('delete, update in place, clear affects only that user', async () => {
  const { dir, cleanup } = await tempDir();
  const store = await openStore(dir);
  try {
    const a = await store.add('a', { content: 'alpha memory about rockets' });
    await store.add('a', { content: 'second alpha memory' });
    await store.add('b', { content: 'beta memory about rockets' });
    assert.equal(await store.delete('a', a.id), true);
    assert.equal(await store.delete('a', a.id), false);
    assert.equal(await store.get('a', a.id), undefined);
    assert.equal((await store.search('a', { search: 'rockets' })).total, 0);

    const first = await store.add('b', { id: 'x', content: 'version one' });
    await new Promise((r) => setTimeout(r, 2));
    const second = await store.add('b', { id: 'x', content: 'version two', salience: 0.9 });
    assert.equal(second.createdAt, first.createdAt);
    assert.ok(second.updatedAt > first.updatedAt);
    assert.equal(store.count('b'), 2);
    const versions = await store.search('b', { search: 'version' });
    assert.deepEqual(versions.entries.filter((e) => e.id === 'x').map((e) => e.content), ['version two']);

    assert.equal(await store.clear('a'), 1);
    assert.equal(store.count('a'), 0);
    assert.equal(store.count('b'), 2);
    assert.equal((await store.search('b', { search: 'rockets' })).total, 1);
    await store.close();

    const reopened = await openStore(dir);
    assert.equal(reopened.count('a'), 0);
    assert.equal(reopened.count('b'), 2);
    assert.equal((await reopened.get('b', 'x'))?.content, 'version two');
    await reopened.close();
  } finally {
    await cleanup();
  }
});

test('expiry: hidden unless includeExpired; prune deletes only the expired of that user', async () => {
  const { dir, cleanup } = await tempDir();
  const store = await openStore(dir);
  try {
    const past = Date.now() - 1000;
    await store.add('u', { id: 'old', content: 'expired reminder about dentist', expiresAt: past });
    await store.add('u', { id: 'new', content: 'fresh reminder about dentist', expiresAt: Date.now() + 3_600_000 });
    await store.add('u', { id: 'forever', content: 'permanent fact about dentist' });
    await store.add('v', { id: 'v-old', content: 'expired too', expiresAt: past });
    assert.deepEqual((await store.search('u', { search: 'dentist' })).entries.map((e) => e.id).sort(), ['forever', 'new']);
    assert.equal((await store.search('u', { search: 'dentist', includeExpired: true })).total, 3);
    assert.equal((await store.search('u', {})).total, 2);
    assert.equal(await store.prune('u'), 1);
    assert.equal(await store.prune('u'), 0);
    assert.equal(store.count('u'), 2);
    assert.equal(store.count('v'), 1);
  } finally {
    await store.close();
    await cleanup();
  }
});

test('restart keeps entries and vectors (no re-embedding needed)', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const store = await openStore(dir);
    for (let i = 0; i < 50; i++) await store.add('u', { id: `e${i}`, content: `entry ${i} about deployment pipelines`, tags: ['ops'], metadata: { i } });
    await store.add('u', { id: 'deploy', content: 'Deploying the server to production with docker' });
    const before = await store.search('u', { search: 'deployment', limit: 5 });
    await store.close();

    let embedCalls = 0;
    const local = new LocalEmbedder();
    const counting: EmbedderDefinition = { id: local.id, dims: local.dims, isConfigured: () => true, embed: (t, s) => { embedCalls += t.length; return local.embed(t, s); } };
    const again = await openStore(dir, { embedder: counting });
    assert.equal(again.count('u'), 51);
    const e7 = await again.get('u', 'e7');
    assert.deepEqual(e7?.metadata, { i: 7 });
    assert.deepEqual(e7?.tags, ['ops']);
    assert.equal(e7?.embedder, local.id);
    assert.equal(e7?.dims, 256);
    await again.whenReembedded();
    assert.equal(embedCalls, 0, 'vectors were loaded, not recomputed');
    const after = await again.search('u', { search: 'deployment', limit: 5 });
    assert.deepEqual(after.entries.map((e) => e.id), before.entries.map((e) => e.id));
    await again.close();
  } finally {
    await cleanup();
  }
});

test('changing the embedder re-embeds everything in the background; results stay sane', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const store = await openStore(dir, { reembedBatch: 7 });
    for (let i = 0; i < 40; i++) await store.add('u', { id: `f${i}`, content: `filler memory ${i} about gardening and tomatoes` });
    await store.add('u', { id: 'deploy', content: 'Deploying the server to production with docker' });
    await store.add('w', { id: 'w1', content: 'another user deploying things' });

    store.setEmbedder(new LocalEmbedder({ dims: 384 }));
    const p = store.reembedProgress();
    assert.equal(p.embedder, 'local-ngram-v1-384');
    assert.equal(p.total, 42);
    // While running, full-text search still works.
    assert.equal((await store.search('u', { search: 'docker' })).entries[0]?.id, 'deploy');
    await store.whenReembedded();
    const done = store.reembedProgress();
    assert.deepEqual([done.done, done.total, done.running], [42, 42, false]);
    assert.equal((await store.get('u', 'f3'))?.embedder, 'local-ngram-v1-384');
    assert.equal((await store.get('u', 'f3'))?.dims, 384);
    assert.equal((await store.search('u', { search: 'deployment' })).entries[0]?.id, 'deploy');
    await store.close();

    // After a restart with the new embedder, nothing needs embedding again.
    const again = await openStore(dir, { embedder: new LocalEmbedder({ dims: 384 }) });
    assert.equal(again.reembedProgress().running, false);
    assert.equal((await again.search('u', { search: 'deployment' })).entries[0]?.id, 'deploy');
    await again.close();

    // Restart with the old embedder: entries are re-embedded on load.
    const back = await openStore(dir);
    await back.whenReembedded();
    assert.equal((await back.get('u', 'f3'))?.embedder, 'local-ngram-v1-256');
    assert.equal((await back.search('u', { search: 'deployment' })).entries[0]?.id, 'deploy');
    await back.close();
  } finally {
    await cleanup();
  }
});

test('a corrupt log is moved aside, logged, and its readable records kept', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const store = await openStore(dir);
    await store.add('u', { id: 'keep1', content: 'first good memory' });
    await store.add('u', { id: 'keep2', content: 'second good memory' });
    await store.close();
    const file = path.join(dir, 'memory', 'u.jsonl');
    const text = await readFile(file, 'utf8');
    const lines = text.trimEnd().split('\n');
    await writeFile(file, [lines[0], '{"t":"put","e":{garbage', lines[1]].join('\n') + '\n');
    // Also a torn vector tail (a crash mid-write) — cut off, not treated as corruption.
    await appendFile(path.join(dir, 'memory', 'u.vec'), Buffer.from([1, 2, 3]));

    const logs: string[] = [];
    const pino = (await import('pino')).default;
    const log = pino({ level: 'warn' }, { write: (s: string) => void logs.push(s) });
    const again = await openStore(dir, { log });
    const files = await readdir(path.join(dir, 'memory'));
    assert.ok(files.some((f) => /^u\.jsonl\.corrupt-/.test(f)), `moved aside: ${files.join(', ')}`);
    assert.ok(!files.some((f) => /^u\.vec\.corrupt-/.test(f)));
    assert.ok(logs.some((l) => l.includes('corrupt file moved aside')));
    assert.equal(again.count('u'), 2);
    assert.equal((await again.search('u', { search: 'second' })).entries[0]?.id, 'keep2');
    await again.add('u', { id: 'keep3', content: 'third memory after repair' });
    await again.close();
    const third = await openStore(dir);
    assert.equal(third.count('u'), 3);
    await third.close();
  } finally {
    await cleanup();
  }
});

test('concurrent adds are group-committed and all durable', async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const store = await openStore(dir);
    await Promise.all(Array.from({ length: 300 }, (_, i) => store.add('u', { id: `c${i}`, content: `concurrent memory ${i}` })));
    for (let i = 0; i < 1200; i++) await store.delete('u', `c${i % 300}`).then(() => store.add('u', { id: `c${i % 300}`, content: `rewritten ${i}` }));
    await store.close();
    const lines = (await readFile(path.join(dir, 'memory', 'u.jsonl'), 'utf8')).trimEnd().split('\n').length;
    assert.ok(lines < 2700, `log was compacted (${lines} lines)`);
    const again = await openStore(dir);
    assert.equal(again.count('u'), 300);
    assert.equal((await again.get('u', 'c5'))?.content, 'rewritten 905');
    await again.close();
  } finally {
    await cleanup();
  }
});
