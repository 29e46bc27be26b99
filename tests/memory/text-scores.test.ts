// A full-text index's scores depend only on what it holds now, never on its history: replacing and deleting entries
// leaves the same postings (and so the same BM25 scores) as building the final content from scratch, and answering a
// query does not change what the next query scores. (With minisearch's lazy `discard`, the first search after a
// replacement scored differently from the second — the 0.3 % drift between search workers of issue #16.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import MiniSearch from 'minisearch';
import { LocalTextIndex, type TextFields } from '../../core/memory/text-local.ts';
import { corpus } from '../../scripts/bench/memory-corpus.ts';

const doc = (id: string, content: string): TextFields => ({ id, content, tags: [], category: 'general' });

function scores(index: LocalTextIndex, query: string): Map<string, number> {
  return new Map(index.search(query).map((h) => [h.id, h.score]));
}

test('replacements and deletes score like a fresh build, and a search never changes the next one', () => {
  const text = corpus(3, 300, 12);
  const final = new Map<string, TextFields>();
  const churned = new LocalTextIndex();
  for (let i = 0; i < 400; i++) {
    const e = doc(`m${i}`, text.sentence());
    churned.set(e);
    final.set(e.id, e);
  }
  // Rewrite a third, delete a tenth: the kinds of change the stores make.
  for (let i = 0; i < 400; i += 3) {
    const e = doc(`m${i}`, text.sentence());
    churned.set(e);
    final.set(e.id, e);
  }
  for (let i = 1; i < 400; i += 10) {
    churned.delete(`m${i}`);
    final.delete(`m${i}`);
  }
  const fresh = new LocalTextIndex();
  for (const e of final.values()) fresh.set(e);
  assert.equal(churned.size, fresh.size);

  const queries = Array.from({ length: 30 }, () => `${text.word()} ${text.word()}`);
  let compared = 0;
  for (const q of queries) {
    const first = scores(churned, q);
    const second = scores(churned, q);
    const reference = scores(fresh, q);
    assert.deepEqual([...first.keys()].sort(), [...reference.keys()].sort(), `"${q}": same hits`);
    for (const [id, s] of reference) {
      assert.equal(first.get(id), s, `"${q}" ${id}: first search vs fresh index`);
      assert.equal(second.get(id), s, `"${q}" ${id}: second search vs fresh index`);
      compared++;
    }
  }
  assert.ok(compared > 500, `enough scores compared (${compared})`);
});

test('fuzzy matching applies to unknown words (typos) only: a known word matches itself and its prefixes', () => {
  const index = new LocalTextIndex();
  index.set(doc('a', 'the harbour at dawn'));
  index.set(doc('b', 'a harbours list'));
  index.set(doc('c', 'the arbour in the garden'));
  // "harbor" is not indexed: fuzzy finds "harbour" (one edit).
  assert.deepEqual(index.search('harbor').map((h) => h.id).sort(), ['a', 'b']);
  // "arbour" is indexed: no fuzzy expansion to "harbour" (which it is one edit from).
  assert.deepEqual(index.search('arbour').map((h) => h.id), ['c']);
});

/** Hits come unsorted (ranking selects what it needs); compare them in one order. */
const inIdOrder = (hits: Array<{ id: string; score: number }>) => [...hits].sort((a, b) => (a.id < b.id ? -1 : 1));

test('a persisted index loads (in slices) into the very index that was saved, and scores alike', async () => {
  const text = corpus(5, 2000, 20);
  const saved = new LocalTextIndex();
  const entries = Array.from({ length: 3000 }, (_, i) => doc(`m${i}`, text.sentence()));
  for (const e of entries) saved.set(e);
  for (let i = 0; i < 3000; i += 7) saved.delete(`m${i}`);
  const kept = entries.filter((_, i) => i % 7 !== 0);
  const snapshot = saved.snapshot();
  assert.ok(snapshot, 'minisearch 7 inside: a snapshot is made');
  const loaded = new LocalTextIndex();
  const how = await loaded.restoreOrBuild(snapshot, kept.map((e) => e.id), (id) => kept.find((e) => e.id === id));
  assert.equal(how, 'restored');
  const reference = MiniSearch.loadJSON(saved.toJSON(), { fields: ['content', 'tags', 'category'], idField: 'id' });
  assert.ok(loaded.toJSON() === JSON.stringify(reference), 'the index minisearch’s own loader makes from its JSON, term by term');
  for (let i = 0; i < 20; i++) {
    const q = `${text.word()} ${text.word()}`;
    assert.deepEqual(inIdOrder(loaded.search(q)), inIdOrder(saved.search(q)), q);
  }
  // Writes after the restore change it as they change the saved one.
  loaded.set(doc('m1', 'a brand new kayak'));
  saved.set(doc('m1', 'a brand new kayak'));
  assert.deepEqual(inIdOrder(loaded.search('kayak')), inIdOrder(saved.search('kayak')));
});

test('a damaged or foreign snapshot is refused: the index is built from the entries instead', async () => {
  const entries = Array.from({ length: 50 }, (_, i) => doc(`m${i}`, `note ${i} about sailing boats`));
  const saved = new LocalTextIndex();
  for (const e of entries) saved.set(e);
  const good = saved.snapshot()!;
  const truncated = good.subarray(0, good.length - 8);
  const wrongOrder = Uint8Array.from(good);
  // The postings' first integer (the magic) read in the other byte order.
  const start = wrongOrder.indexOf(0x0a, wrongOrder.indexOf(0x0a) + 1) + 1;
  wrongOrder.subarray(start, start + 4).reverse();
  for (const bad of [truncated, wrongOrder, new TextEncoder().encode('{"documentCount":1}\n[]\n')]) {
    const loaded = new LocalTextIndex();
    assert.equal(await loaded.restoreOrBuild(bad, entries.map((e) => e.id), (id) => entries.find((e) => e.id === id)), 'built');
    assert.equal(loaded.search('sailing').length, 50);
  }
});
