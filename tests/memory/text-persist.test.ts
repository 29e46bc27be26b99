// A restart loads the full-text index persisted at the last clean shutdown instead of rebuilding it — but only when
// it provably matches the log: a log changed behind its back, a crash (no clean shutdown) or a damaged index file all
// lead to a rebuild, and search answers the same either way.
import assert from 'node:assert/strict';
import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { MemoryStore } from '../../core/memory/index.ts';
import { openStore, silentLog, tempDir } from './helpers.ts';

const QUERIES = ['sailing boats', 'sourdough', 'typescripts', 'garden tomatoes spring'];

async function seeded() {
  const t = await tempDir();
  const store = await openStore(t.dir);
  const contents = ['sailing boats on the northern sea', 'baking sourdough bread at home', 'learning rust and typescript', 'planting tomatoes in spring'];
  for (let i = 0; i < 40; i++) await store.add('u1', { id: `m${i}`, content: `${contents[i % 4]} note ${i}` });
  await store.add('u2', { content: 'another user with a garden' });
  const answers = await Promise.all(QUERIES.map((q) => store.search('u1', { search: q, limit: 10 }).then((r) => r.entries.map((e) => e.id))));
  return { ...t, store, answers };
}

const ids = (store: Awaited<ReturnType<typeof openStore>>) =>
  Promise.all(QUERIES.map((q) => store.search('u1', { search: q, limit: 10 }).then((r) => r.entries.map((e) => e.id))));

test('a clean shutdown persists the indexes; the next start loads them (taken once) and answers the same', async () => {
  const { dir, cleanup, store, answers } = await seeded();
  try {
    await store.close();
    const files = await readdir(path.join(dir, 'memory'));
    assert.deepEqual(files.filter((f) => f.includes('.fts')).sort(), ['u1.fts', 'u2.fts']);
    const again = await openStore(dir);
    assert.deepEqual(again.indexStartStats(), { restored: 2, built: 0 });
    assert.deepEqual(await ids(again), answers);
    assert.deepEqual((await readdir(path.join(dir, 'memory'))).filter((f) => f.includes('.fts')), [], 'taken at load');
    // Writes after the restore are indexed as usual.
    await again.add('u1', { id: 'new', content: 'a kayak on the river' });
    assert.equal((await again.search('u1', { search: 'kayak' })).entries[0]?.id, 'new');
    // No clean shutdown (a crash): no index file, so the next start builds.
    const crashed = await openStore(dir);
    assert.deepEqual(crashed.indexStartStats(), { restored: 0, built: 2 });
    assert.equal((await crashed.search('u1', { search: 'kayak' })).entries[0]?.id, 'new');
    await again.close();
    await crashed.close();
  } finally {
    await cleanup();
  }
});

test('a log changed after the index was written, or a damaged index file, means a rebuild, never a stale index', async () => {
  const { dir, cleanup, store, answers } = await seeded();
  try {
    await store.close();
    const entry = { id: 'sneaky', userId: 'u1', content: 'written by another tool: harpsichord lessons', layer: 'short_term', category: 'general', salience: 0.5, tags: [], metadata: {}, isPinned: false, source: 'user', createdAt: Date.now(), updatedAt: Date.now(), expiresAt: null, embedder: null, dims: 0 };
    await appendFile(path.join(dir, 'memory', 'u1.jsonl'), JSON.stringify({ t: 'put', e: entry }) + '\n');
    // u2's index damaged inside (one byte of its snapshot flipped; the header's CRC no longer matches).
    const u2 = path.join(dir, 'memory', 'u2.fts');
    const damaged = await readFile(u2);
    damaged[damaged.length - 5] = damaged[damaged.length - 5]! ^ 0xff;
    await writeFile(u2, damaged);
    const again = await openStore(dir);
    assert.deepEqual(again.indexStartStats(), { restored: 0, built: 2 });
    assert.equal((await again.search('u1', { search: 'harpsichord' })).entries[0]?.id, 'sneaky');
    assert.deepEqual(await ids(again), answers);
    assert.equal((await again.search('u2', { search: 'garden' })).total, 1);
    await again.close();
  } finally {
    await cleanup();
  }
});

test('a log rewritten to the very same length (a restored backup, an edit) is caught by its tail: rebuilt, not stale', async () => {
  const { dir, cleanup, store } = await seeded();
  try {
    await store.close();
    const log = path.join(dir, 'memory', 'u1.jsonl');
    const before = await readFile(log, 'utf8');
    // Same bytes count, other words: "sailing" → "zailing" in the newest entries.
    const after = before.replaceAll('sailing boats', 'zailing boats');
    assert.equal(Buffer.byteLength(after), Buffer.byteLength(before));
    await writeFile(log, after);
    const again = await openStore(dir);
    assert.deepEqual(again.indexStartStats(), { restored: 1, built: 1 });
    assert.ok((await again.search('u1', { search: 'zailing' })).total >= 10, 'the rebuilt index reads the log as it is');
    assert.equal((await again.search('u1', { search: 'sailing' })).entries.some((e) => e.content.includes('sailing')), false);
    await again.close();
  } finally {
    await cleanup();
  }
});

test('writes made while the persisted index loads are in it once loaded: updates, deletes and new entries', async () => {
  const { dir, cleanup, store } = await seeded();
  try {
    await store.close();
    const again = new MemoryStore({ dataDir: dir, log: silentLog });
    await again.load();
    // Not waiting for the index: these land while it is read and loaded.
    await Promise.all([
      again.add('u1', { id: 'm0', content: 'now about a kayak trip' }),
      again.delete('u1', 'm4'),
      again.add('u1', { id: 'fresh', content: 'another kayak, written during the load' }),
    ]);
    await again.whenIndexed();
    assert.deepEqual(again.indexStartStats(), { restored: 2, built: 0 });
    assert.deepEqual((await again.search('u1', { search: 'kayak' })).entries.map((e) => e.id).sort(), ['fresh', 'm0']);
    const sailing = (await again.search('u1', { search: 'sailing', limit: 100 })).entries.map((e) => e.id);
    assert.ok(!sailing.includes('m0') && !sailing.includes('m4'), 'old content and deleted entries are gone');
    assert.ok(sailing.includes('m8'), 'the rest is still found');
    await again.close();
  } finally {
    await cleanup();
  }
});

test('an index persisted by the former format (minisearch JSON in <user>.fts.json) is removed at load, never read', async () => {
  const { dir, cleanup, store, answers } = await seeded();
  try {
    await store.close();
    await writeFile(path.join(dir, 'memory', 'u1.fts.json'), '{"format":2,"logBytes":1,"tailCrc":0}\n{}');
    const again = await openStore(dir);
    assert.deepEqual(await ids(again), answers);
    assert.deepEqual((await readdir(path.join(dir, 'memory'))).filter((f) => f.includes('.fts')), []);
    await again.close();
  } finally {
    await cleanup();
  }
});
