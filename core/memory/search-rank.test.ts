import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuse, ranksNeeded, type RankedId } from './rank.ts';
import { acceptFor, byId, rankText, type RankEntry, type RankQuery, type RankView } from './search-rank.ts';
import { idOrderKey } from './id-order.ts';
import { scoredHitsOf, type TextHit } from './text-local.ts';

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number) {
  return () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

/** The ranking as it was before selection: every text hit sorted, ranks counted in order. */
function reference(view: RankView, textHits: TextHit[], query: RankQuery, vectorIds: readonly string[], now: number) {
  const accept = acceptFor(query, now);
  const inVectors = new Set(vectorIds);
  const cap = ranksNeeded(query.offset + query.limit);
  const ranked: RankedId[] = [];
  let total = 0;
  let overlap = 0;
  for (const hit of [...textHits].sort((x, y) => y.score - x.score || byId(x.id, y.id))) {
    if (!accept(view.entries.get(hit.id))) continue;
    const rank = total++;
    if (inVectors.has(hit.id)) overlap++;
    if (rank < cap || inVectors.has(hit.id)) ranked.push({ id: hit.id, rank });
  }
  const fused = fuse([ranked, vectorIds.map((id, rank) => ({ id, rank }))], (id) => view.entries.get(id), now);
  return { hits: fused.slice(query.offset, query.offset + query.limit).map((r) => ({ id: r.entry.id, score: r.score })), total: total + vectorIds.length - overlap };
}

/** Ids sharing a long prefix (ties cut by the string), or varied (ties cut by `idOrderKey`: short, non-ASCII, hex). */
type IdStyle = 'prefixed' | 'varied';

function randomId(next: () => number, i: number, style: IdStyle): string {
  if (style === 'prefixed') return `e${String(Math.floor(next() * 1e6)).padStart(6, '0')}-${i}`;
  const alphabet = '0123456789abcdef-Zé\u{1F600}';
  const chars = [...alphabet];
  let id = '';
  for (let n = 1 + Math.floor(next() * 5); n > 0; n--) id += chars[Math.floor(next() * chars.length)];
  return `${id}${i}`;
}

function randomEntries(next: () => number, now: number, expiring: number, style: IdStyle = 'prefixed'): Map<string, RankEntry> {
  const entries = new Map<string, RankEntry>();
  for (let i = 0; i < 3000; i++) {
    const id = randomId(next, i, style);
    entries.set(id, {
      id, userId: 'u', content: '', layer: next() < 0.3 ? 'long_term' : 'short_term', category: 'general', salience: Math.round(next() * 4) / 4,
      tags: [], isPinned: next() < 0.05, source: 'user', createdAt: now - Math.floor(next() * 1e9), updatedAt: now - Math.floor(next() * 1e9),
      expiresAt: next() < expiring ? now - 1 : null, embedder: null, dims: 0,
    });
  }
  return entries;
}

// Once with expired entries (every hit checked), once with none and the view saying so (no hit looked up); ids alike
// in their first characters and ids that differ there (the two ways a tie is cut).
for (const [expiring, style] of [[0.05, 'prefixed'], [0, 'prefixed'], [0.05, 'varied'], [0, 'varied']] as const) {
  test(`rankText selects the same page and total as sorting every text hit (ties, filters, offsets, overlaps; expiring ${expiring}, ${style} ids)`, () => {
    const next = random(5);
    const now = 1_700_000_000_000;
    const entries = randomEntries(next, now, expiring, style);
    const ids = [...entries.keys()];
    for (let round = 0; round < 200; round++) {
      // Coarse scores make many ties; hits in random order (the index answers them unsorted).
      const hits = ids.filter(() => next() < 0.4).map((id) => ({ id, score: 0.25 + Math.round(next() * 20) / 4 })).sort(() => next() - 0.5);
      const vectorIds = ids.filter(() => next() < 0.03).slice(0, 100);
      const view: RankView = { entries, text: { scored: () => scoredHitsOf(hits) }, mayExpire: expiring > 0 ? undefined : false };
      const query: RankQuery = { limit: 1 + Math.floor(next() * 30), offset: next() < 0.3 ? Math.floor(next() * 50) : 0, layer: next() < 0.3 ? 'long_term' : undefined };
      assert.deepEqual(rankText(view, query, 'q', vectorIds, now), reference(view, hits, query, vectorIds, now), `round ${round}`);
    }
  });
}

test('idOrderKey orders like the ids wherever it decides (equal keys decide nothing)', () => {
  const next = random(9);
  const ids = ['', 'a', 'a\u0000', 'ab', 'abc', 'abcd', 'abd', 'b', '\u{1F600}', '\uffff', 'Z', 'é', ...Array.from({ length: 300 }, (_, i) => randomId(next, i, 'varied'))];
  let decided = 0;
  for (const a of ids) {
    for (const b of ids) {
      const ka = idOrderKey(a);
      const kb = idOrderKey(b);
      if (ka === kb) continue;
      decided++;
      assert.equal(ka < kb, a < b, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
  }
  assert.ok(decided > ids.length * ids.length * 0.9);
});
