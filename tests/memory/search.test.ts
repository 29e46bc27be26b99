import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, tempDir } from './helpers.ts';

const CORPUS = [
  { id: 'ts', content: 'The user prefers TypeScript for backend services and strict compiler settings' },
  { id: 'deploy', content: 'Deploying the server to production happens with docker compose on Fridays' },
  { id: 'pizza', content: 'Favourite food is pizza margherita from the place around the corner' },
  { id: 'cat', content: "The user's cat is called Whiskers and sleeps on the keyboard" },
  { id: 'meeting', content: 'Quarterly planning meeting with the finance team every March' },
  { id: 'editor', content: 'Uses dark mode in the code editor and a large monospace font' },
];

async function seeded() {
  const { dir, cleanup } = await tempDir();
  const store = await openStore(dir);
  for (const m of CORPUS) await store.add('u1', m);
  return { store, dir, cleanup };
}

test('a plain word match ranks first', async () => {
  const { store, cleanup } = await seeded();
  try {
    const r = await store.search('u1', { search: 'pizza' });
    assert.equal(r.entries[0]?.id, 'pizza');
    assert.ok(typeof r.entries[0]?.score === 'number');
    const r2 = await store.search('u1', { search: 'whiskers keyboard' });
    assert.equal(r2.entries[0]?.id, 'cat');
  } finally {
    await store.close();
    await cleanup();
  }
});

test('word forms: "typescripts" finds TypeScript, "meetings" finds meeting', async () => {
  const { store, cleanup } = await seeded();
  try {
    assert.equal((await store.search('u1', { search: 'typescripts' })).entries[0]?.id, 'ts');
    assert.equal((await store.search('u1', { search: 'meetings' })).entries[0]?.id, 'meeting');
    // Prefix: a word being typed.
    assert.equal((await store.search('u1', { search: 'marghe' })).entries[0]?.id, 'pizza');
    // A typo (fuzzy).
    assert.equal((await store.search('u1', { search: 'quartrely' })).entries[0]?.id, 'meeting');
  } finally {
    await store.close();
    await cleanup();
  }
});

test('a near-synonym sharing character n-grams is found through the vector side', async () => {
  const { store, cleanup } = await seeded();
  try {
    // "deployment" is neither a prefix nor within 2 edits of "deploying": only the n-gram vectors connect them.
    const r = await store.search('u1', { search: 'deployment' });
    assert.equal(r.entries[0]?.id, 'deploy');
  } finally {
    await store.close();
    await cleanup();
  }
});

test('salience breaks a tie between equally relevant memories', async () => {
  const { store, cleanup } = await seeded();
  try {
    await store.add('u1', { id: 'tea-low', content: 'Likes green tea in the afternoon', salience: 0.2 });
    await store.add('u1', { id: 'tea-high', content: 'Likes green tea in the afternoon', salience: 0.9 });
    const r = await store.search('u1', { search: 'green tea' });
    assert.deepEqual(r.entries.slice(0, 2).map((e) => e.id), ['tea-high', 'tea-low']);
  } finally {
    await store.close();
    await cleanup();
  }
});

test('stopwords alone match nothing; unrelated text finds nothing', async () => {
  const { store, cleanup } = await seeded();
  try {
    assert.equal((await store.search('u1', { search: 'the and of' })).total, 0);
    assert.equal((await store.search('u1', { search: 'xylophone' })).total, 0);
  } finally {
    await store.close();
    await cleanup();
  }
});

test('users are isolated', async () => {
  const { store, cleanup } = await seeded();
  try {
    await store.add('u2', { id: 'u2-pizza', content: 'Hates pizza, loves sushi' });
    const r1 = await store.search('u1', { search: 'pizza sushi' });
    assert.ok(r1.entries.every((e) => e.userId === 'u1'));
    assert.ok(!r1.entries.some((e) => e.id === 'u2-pizza'));
    const r2 = await store.search('u2', { search: 'pizza' });
    assert.deepEqual(r2.entries.map((e) => e.id), ['u2-pizza']);
    assert.equal(await store.get('u2', 'pizza'), undefined);
    assert.equal(await store.delete('u2', 'pizza'), false);
    assert.ok(await store.get('u1', 'pizza'));
    assert.equal((await store.search('nobody', {})).total, 0);
    assert.equal(store.count('u1'), CORPUS.length);
    assert.equal(store.count('u2'), 1);
    assert.equal(store.count(), CORPUS.length + 1);
  } finally {
    await store.close();
    await cleanup();
  }
});

test('filters: layer and category', async () => {
  const { store, cleanup } = await seeded();
  try {
    await store.add('u1', { id: 'p1', content: 'Always run the tests before a commit', layer: 'procedural', category: 'dev' });
    await store.add('u1', { id: 'p2', content: 'Run the linter before a commit', layer: 'procedural', category: 'style' });
    const r = await store.search('u1', { layer: 'procedural' });
    assert.deepEqual(r.entries.map((e) => e.id).sort(), ['p1', 'p2']);
    const r2 = await store.search('u1', { search: 'commit', category: 'style' });
    assert.deepEqual(r2.entries.map((e) => e.id), ['p2']);
    assert.equal((await store.get('u1', 'ts'))?.layer, 'short_term');
    await assert.rejects(store.add('u1', { content: 'x', layer: 'bogus' as never }));
    await assert.rejects(store.add('u1', { content: '   ' }));
  } finally {
    await store.close();
    await cleanup();
  }
});

test('a listing with match and window: the caller\'s test runs over the newest entries of the window only, before the page', async () => {
  const { dir, cleanup } = await tempDir();
  const store = await openStore(dir);
  try {
    for (let i = 0; i < 30; i++) {
      await store.add('u1', { id: `m${i}`, content: `note ${i} ${i % 3 === 0 ? 'tagged' : 'plain'}`, layer: i % 2 ? 'long_term' : 'short_term', salience: i / 30 });
      await new Promise((r) => setTimeout(r, 2)); // distinct creation times: newest first is m29, m28, …
    }
    await store.add('u2', { id: 'other', content: 'note tagged' });
    const seen: string[] = [];
    const tagged = (e: { id: string; content: string }) => (seen.push(e.id), e.content.includes('tagged'));
    // The newest 10 are m29…m20: tagged among them m27, m24, m21.
    const r = await store.search('u1', { match: tagged, window: 10, limit: 2 });
    assert.deepEqual(r.entries.map((e) => e.id), ['m27', 'm24']);
    assert.equal(r.total, 3);
    assert.ok(seen.every((id) => id !== 'other'), 'never shown another user\'s entries');
    assert.ok(seen.length <= 10, 'looked at the window only');
    assert.deepEqual((await store.search('u1', { match: tagged, window: 10, limit: 5, offset: 2 })).entries.map((e) => e.id), ['m21']);
    // Filters apply before the window: the newest 10 long-term ones are m29, m27, …, m11.
    assert.deepEqual((await store.search('u1', { match: tagged, window: 10, layer: 'long_term' })).entries.map((e) => e.id), ['m27', 'm21', 'm15']);
    // Without a window: every entry; by salience too (the sorting path).
    assert.equal((await store.search('u1', { match: tagged })).total, 10);
    assert.deepEqual((await store.search('u1', { match: tagged, window: 4, order: 'salience' })).entries.map((e) => e.id), ['m27']);
    // A window alone cuts the listing and its total.
    const w = await store.search('u1', { window: 5, limit: 50 });
    assert.deepEqual([w.entries.length, w.total], [5, 5]);
    // Entries handed out are copies: changing one changes nothing stored.
    r.entries[0]!.content = 'changed';
    assert.notEqual((await store.get('u1', 'm27'))?.content, 'changed');
  } finally {
    await store.close();
    await cleanup();
  }
});
