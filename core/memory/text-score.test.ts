import assert from 'node:assert/strict';
import { test } from 'node:test';
import MiniSearch from 'minisearch';
import { internalsOf } from './text-internals.ts';
import { LocalTextIndex } from './text-local.ts';

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number) {
  return () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

const WORDS = ['deploy', 'deployment', 'deployed', 'redeploy', 'kubernetes', 'kube', 'docker', 'dockerfile', 'typescript', 'types',
  'typo', 'python', 'pythonic', 'coffee', 'coffees', 'morning', 'mornings', 'database', 'databases', 'postgres', 'postgresql',
  'the', 'and', 'of', 'release', 'released', 'releasing', 'weekly', 'week', 'weekend', 'server', 'servers', 'serverless'];

function sentence(next: () => number, n: number): string {
  return Array.from({ length: n }, () => WORDS[Math.floor(next() * WORDS.length)]!).join(' ');
}

function byIdThenScore(hits: Array<{ id: string; score: number }>) {
  return [...hits].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

test('scoring off the postings gives exactly the scores of minisearch search (prefix, fuzzy, repeats, fields, edits)', () => {
  const next = random(11);
  const index = new LocalTextIndex();
  for (let i = 0; i < 600; i++) {
    const tags = next() < 0.3 ? [WORDS[Math.floor(next() * WORDS.length)]!] : [];
    index.set({ id: `m${i}`, content: sentence(next, 3 + Math.floor(next() * 30)), tags, category: next() < 0.2 ? 'deployment' : 'general' });
  }
  // Replacements and deletions change field lengths, averages and document counts.
  for (let i = 0; i < 100; i++) index.set({ id: `m${Math.floor(next() * 600)}`, content: sentence(next, 5), tags: [], category: 'general' });
  for (let i = 0; i < 50; i++) index.delete(`m${Math.floor(next() * 600)}`);
  const queries = ['deploy', 'kube docker', 'deploymnet', 'typescrpt types', 'coffee coffee morning', 'the and of', 'serv', 'database postgres weekly',
    'zzzzzz', '', 'release release released', 'dockerfil', 'general'];
  for (let i = 0; i < 60; i++) queries.push(sentence(next, 1 + Math.floor(next() * 4)));
  let compared = 0;
  const compareAll = () => {
    for (const q of queries) {
      const fast = byIdThenScore(index.search(q));
      const library = byIdThenScore(index.searchByLibrary(q));
      assert.deepEqual(fast.map((h) => h.id), library.map((h) => h.id), `same hits for "${q}"`);
      fast.forEach((h, i) => assert.equal(h.score, library[i]!.score, `same score for ${h.id} on "${q}"`));
      // What ranking reads: the same scores by id, and 0 for an entry that is not a hit.
      const scored = index.scored(q);
      for (const h of library) assert.equal(scored.scoreOf(h.id), h.score, `scoreOf ${h.id} on "${q}"`);
      if (library.length < 600) assert.equal(scored.scoreOf(['m0', 'm1', 'm2', 'gone'].find((id) => !library.some((h) => h.id === id))!), 0);
      compared += fast.length;
    }
  };
  compareAll();
  // Edits after searches: the scorer's copy of the field lengths follows added, replaced and removed documents.
  for (let i = 0; i < 100; i++) index.set({ id: `m${Math.floor(next() * 700)}`, content: sentence(next, 2 + Math.floor(next() * 40)), tags: [], category: 'general' });
  for (let i = 0; i < 80; i++) index.delete(`m${Math.floor(next() * 700)}`);
  compareAll();
  assert.ok(compared > 5000, `enough hits compared (${compared})`);
});

test('minisearch internals are read only when they look as expected; otherwise the public API answers', () => {
  const mini = new MiniSearch({ fields: ['content'] });
  mini.add({ id: 'a', content: 'harbour lights' });
  const inside = internalsOf(mini);
  assert.ok(inside, 'minisearch 7 as installed');
  assert.equal(inside.hasTerm('harbour'), true);
  assert.equal(inside.documentCount(), 1);
  // Another minisearch (its state renamed or reshaped): no internals, so no fast path.
  const changed = Object.assign(Object.create(MiniSearch.prototype), { _index: new Map(), _documentIds: new Map() });
  assert.equal(internalsOf(changed), null);
});
