/**
 * The original AION search's letter-pair prefilter (`plugins/aion-control/pair-filter.ts`) must never refuse an entry
 * that the case-insensitive (`iu`) substring expression matches: random texts and searches over an alphabet heavy in
 * the characters where folding differs from lower-casing (KELVIN SIGN, LONG S, dotted/dotless i, sharp s, Greek
 * sigmas, an astral letter and its other case), each search cut from a text and re-cased, then compared with the
 * expression over the same fields.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mayContain, pairsOfSearch } from '../../plugins/aion-control/pair-filter.ts';
import type { MemoryEntry } from '../../core/plugin-api/index.ts';

const alphabet = ['a', 'B', 'k', 'K', '\u212a', 's', 'S', '\u017f', 'i', 'I', '\u0130', '\u0131', 'ß', '\u1e9e', 'σ', 'ς', 'Σ', '𐐀', '𐐨', ' ', '1', '-', '(', 'é', 'É'];
let seed = 7;
const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
const text = (n: number) => Array.from({ length: n }, () => alphabet[rand(alphabet.length)]).join('');
const recase = (s: string) => [...s].map((c) => (rand(2) ? c.toUpperCase() : c.toLowerCase())).join('');
const entry = (content: string, metadata: Record<string, unknown> = {}, category = ''): MemoryEntry =>
  ({ id: 'x', content, metadata, category, createdAt: 0 }) as unknown as MemoryEntry;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('the pair filter passes every entry whose fields the iu expression matches', () => {
  let matched = 0;
  let refused = 0;
  for (let round = 0; round < 4000; round++) {
    const source = text(2 + rand(30));
    const at = rand(source.length);
    const search = rand(4) ? recase(source.slice(at, at + 2 + rand(6))) : text(2 + rand(4));
    const e = rand(3) === 0 ? entry(text(20), { summary: source, lesson: text(10) }, 'c') : entry(source + text(rand(5)), {}, rand(2) ? '' : recase(source.slice(0, 4)));
    const re = new RegExp(escape(search), 'iu');
    const meta = e.metadata as Record<string, string>;
    const hit = [e.content.slice(0, 600), meta.summary ?? '', meta.lesson ?? '', e.category || 'general'].some((f) => re.test(f));
    const pairs = pairsOfSearch(search);
    const passes = pairs === null || mayContain(e, pairs);
    if (hit) {
      matched++;
      assert.ok(passes, `refused a match: ${JSON.stringify({ search, content: e.content, metadata: e.metadata, category: e.category })}`);
    } else if (!passes) refused++;
  }
  assert.ok(matched > 400, `matches tested (${matched})`);
  assert.ok(refused > 200, `and it does refuse non-matches (${refused})`);
});

test('an entry changed in place is filtered on its new text', () => {
  const e = entry('nothing here');
  const pairs = pairsOfSearch('zebra')!;
  assert.equal(mayContain(e, pairs), false);
  (e as { content: string }).content = 'a ZEBRA here';
  assert.equal(mayContain(e, pairs), true);
  (e.metadata as Record<string, unknown>).lesson = 'q';
  (e as { content: string }).content = 'none';
  assert.equal(mayContain(e, pairs), false);
});
