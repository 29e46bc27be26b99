import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuse, ranksNeeded, type RankedId } from './rank.ts';
import { acceptFor, byId, rankText, type RankEntry, type RankQuery, type RankView } from './search-rank.ts';
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

function randomEntries(next: () => number, now: number, expiring: number): Map<string, RankEntry> {
  const entries = new Map<string, RankEntry>();
  for (let i = 0; i < 3000; i++) {
    const id = `e${String(Math.floor(next() * 1e6)).padStart(6, '0')}-${i}`;
    entries.set(id, {
      id, userId: 'u', content: '', layer: next() < 0.3 ? 'long_term' : 'short_term', category: 'general', salience: Math.round(next() * 4) / 4,
      tags: [], isPinned: next() < 0.05, source: 'user', createdAt: now - Math.floor(next() * 1e9), updatedAt: now - Math.floor(next() * 1e9),
      expiresAt: next() < expiring ? now - 1 : null, embedder: null, dims: 0,
    });
  }
  return entries;
}

// Once with expired entries (every hit checked), once with none and the view saying so (no hit looked up).
for (const expiring of [0.05, 0]) {
  test(`rankText selects the same page and total as sorting every text hit (ties, filters, offsets, overlaps; expiring ${expiring})`, () => {
    const next = random(5);
    const now = 1_700_000_000_000;
    const entries = randomEntries(next, now, expiring);
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
