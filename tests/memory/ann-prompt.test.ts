import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMemoriesForPrompt } from '../../core/memory/index.ts';
import { openStore, tempDir } from './helpers.ts';

test('above the threshold an ANN index is built and agrees with exact search', async () => {
  const { dir, cleanup } = await tempDir();
  const store = await openStore(dir, { annThreshold: 200 });
  try {
    const topics = ['gardening tomatoes', 'docker deployment', 'pizza recipes', 'typescript generics', 'cat whiskers', 'finance budget'];
    await Promise.all(
      Array.from({ length: 400 }, (_, i) => store.add('u', { id: `a${i}`, content: `memory ${i} about ${topics[i % topics.length]} number ${i % 17}` })),
    );
    const usesAnn = await store.annReady('u');
    assert.equal(usesAnn, true, 'usearch loads here (it ships prebuilt binaries)');
    const r = await store.search('u', { search: 'deployment docker', limit: 10 });
    assert.ok(r.entries.slice(0, 10).every((e) => e.content.includes('docker deployment')));
    await store.delete('u', r.entries[0]!.id);
    const r2 = await store.search('u', { search: 'deployment docker', limit: 10 });
    assert.ok(!r2.entries.some((e) => e.id === r.entries[0]!.id));
  } finally {
    await store.close();
    await cleanup();
  }
});

test('formatMemoriesForPrompt keeps within the token budget, best first', () => {
  const base = { userId: 'u', category: 'general', salience: 0.5, tags: [], metadata: {}, isPinned: false, source: 'user', createdAt: 0, updatedAt: 0, expiresAt: null, embedder: null, dims: 0 };
  const entries = Array.from({ length: 50 }, (_, i) => ({ ...base, id: `m${i}`, layer: 'long_term' as const, content: `fact number ${i} `.repeat(10) }));
  const text = formatMemoriesForPrompt(entries, 200);
  assert.ok(text.length <= 800, `${text.length} chars`);
  assert.ok(text.startsWith('Relevant memories'));
  assert.ok(text.includes('- [long_term] fact number 0'));
  assert.ok(!text.includes('fact number 49'));
  assert.equal(formatMemoriesForPrompt([], 1000), '');
  const long = formatMemoriesForPrompt([{ ...entries[0]!, content: 'x'.repeat(5000), isPinned: true, category: 'prefs' }], 100);
  assert.ok(long.length <= 400 && long.includes('[long_term/prefs] (pinned)') && long.endsWith('…'));
});
