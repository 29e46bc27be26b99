/**
 * The hybrid ranking of one text query, shared by the main thread (no search workers) and the search workers: the
 * filters, the full-text ranks that can reach the page, and their fusion with the vector ranks. Given the same
 * entries, index and vector hits it answers the same page wherever it runs.
 */
import type { MemoryEntry, MemoryLayer } from '../plugin-api/types.ts';
import { fuse, ranksNeeded, type RankedId } from './rank.ts';
import type { ScoredHits, TextHit } from './text-local.ts';
import { insertionPoint } from './top-k.ts';

/** What ranking reads of an entry (workers hold no metadata). */
export type RankEntry = Omit<MemoryEntry, 'metadata'>;

/** The filters and page of a search, normalised (what is sent to a worker). */
export interface RankQuery {
  layer?: MemoryLayer;
  category?: string;
  includeExpired?: boolean;
  limit: number;
  offset: number;
}

/** A user's entries and full-text index as ranking reads them. */
export interface RankView {
  entries: ReadonlyMap<string, RankEntry>;
  text: { scored(text: string): ScoredHits };
  /**
   * False when no entry has an expiry date: then a query without layer and category filters accepts every text hit
   * (the index holds only the view's entries) and none is looked up. Unknown (undefined): every hit is checked.
   */
  mayExpire?: boolean;
}

/** A hit of the page: id and fused score. */
export interface RankedHit {
  id: string;
  score: number;
}

/** The filter of a query at time `now`. */
export function acceptFor(query: RankQuery, now: number): (e: RankEntry | undefined) => e is RankEntry {
  return (e): e is RankEntry =>
    e !== undefined &&
    (query.layer === undefined || e.layer === query.layer) &&
    (query.category === undefined || e.category === query.category) &&
    (query.includeExpired === true || e.expiresAt === null || e.expiresAt > now);
}

/** Whether the filters of `query` can refuse an entry of `view` (else every entry passes). */
export function filtersRefuse(query: RankQuery, mayExpire: boolean | undefined): boolean {
  return query.layer !== undefined || query.category !== undefined || (query.includeExpired !== true && mayExpire !== false);
}

/** How many vector hits a page needs (over-fetched: filters and fusion reorder). */
export function vectorHitsWanted(query: RankQuery): number {
  return Math.max(100, (query.offset + query.limit) * 2);
}

/**
 * Rank `text` over the view, fused with `vectorIds` (best first; hits that passed the filters); the page's hits and
 * the exact total.
 *
 * Only the text ranks that can still reach the page are fused (plus deeper ones that the vectors found too), so a
 * common word matching 50k memories costs a pass over its scores, not a 50k-entry sort: the few hits that are fused
 * are selected and sorted, and each one's rank among all the others is counted (`ranksAmong`). `total` stays exact.
 */
export function rankText(view: RankView, query: RankQuery, text: string, vectorIds: readonly string[], now: number): { hits: RankedHit[]; total: number } {
  const hits = view.text.scored(text);
  const accepted = acceptedHits(view, query, hits, now);
  const acceptedCount = accepted ? accepted.length : hits.count;
  const inVectors = new Set(vectorIds);
  // The vectors' hits that are accepted text hits too (the vector search filters alike; checked anyway when filtering).
  const accept = accepted ? acceptFor(query, now) : null;
  const fused: TextHit[] = [];
  for (const id of vectorIds) {
    const score = hits.scoreOf(id);
    if (score > 0 && (!accept || accept(view.entries.get(id)))) fused.push({ id, score });
  }
  const overlap = fused.length;
  for (const hit of bestHits(hits, accepted, ranksNeeded(query.offset + query.limit))) if (!inVectors.has(hit.id)) fused.push(hit);
  const textRanked = ranksAmong(fused.sort(byTextRank), hits, accepted);
  const ranked = fuse([textRanked, vectorIds.map((id, rank) => ({ id, rank }))], (id) => view.entries.get(id), now);
  return {
    hits: ranked.slice(query.offset, query.offset + query.limit).map((r) => ({ id: r.entry.id, score: r.score })),
    total: acceptedCount + vectorIds.length - overlap,
  };
}

/** The positions of the hits that pass the filters; `null`: all of them (no filter can refuse one, none looked up). */
function acceptedHits(view: RankView, query: RankQuery, hits: ScoredHits, now: number): Int32Array | null {
  if (!filtersRefuse(query, view.mayExpire)) return null;
  const accept = acceptFor(query, now);
  const out = new Int32Array(hits.count);
  let n = 0;
  for (let p = 0; p < hits.count; p++) if (accept(view.entries.get(hits.idOf(hits.shortIds[p]!)))) out[n++] = p;
  return out.subarray(0, n);
}

/** Text order: higher score first, ties by id (both drivers then rank equal scores alike, whatever order their indexes were built in). */
function byTextRank(x: TextHit, y: TextHit): number {
  return y.score - x.score || byId(x.id, y.id);
}

/**
 * Whether the hit at position `p` comes before `than` in text order. Its id is looked up only on a tie of scores
 * (most hits are refused by one comparison of numbers).
 */
function precedes(hits: ScoredHits, p: number, than: TextHit): boolean {
  const score = hits.scores[p]!;
  if (score !== than.score) return score > than.score;
  return hits.idOf(hits.shortIds[p]!) < than.id;
}

/** How many of `sorted` come before the hit at `p` or are it (binary search; no hit object, ids only on ties). */
function gapOf(sorted: readonly TextHit[], hits: ScoredHits, p: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (precedes(hits, p, sorted[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The `n` best accepted hits in text order (selection: one comparison for most hits, no sort of them all). */
function bestHits(hits: ScoredHits, accepted: Int32Array | null, n: number): TextHit[] {
  const count = accepted ? accepted.length : hits.count;
  const kept: TextHit[] = [];
  if (n <= 0) return kept;
  for (let i = 0; i < count; i++) {
    const p = accepted ? accepted[i]! : i;
    if (kept.length === n && !precedes(hits, p, kept[n - 1]!)) continue;
    const hit = { id: hits.idOf(hits.shortIds[p]!), score: hits.scores[p]! };
    kept.splice(insertionPoint(kept, hit, byTextRank), 0, hit);
    if (kept.length > n) kept.pop();
  }
  return kept;
}

/**
 * The rank (0 = best) of each of `sorted` (distinct, in `byTextRank` order) among the accepted hits: how many of them
 * come before it. One pass: each hit falls into the gap after the last of `sorted` not after it (binary search); a
 * member's rank is the number of hits in the gaps before it.
 */
function ranksAmong(sorted: readonly TextHit[], hits: ScoredHits, accepted: Int32Array | null): RankedId[] {
  const inGap = new Int32Array(sorted.length + 1);
  const last = sorted[sorted.length - 1];
  const count = accepted ? accepted.length : hits.count;
  for (let i = 0; last !== undefined && i < count; i++) {
    const p = accepted ? accepted[i]! : i;
    // Most hits rank below every fused one: they precede none of them (one comparison instead of a search).
    if (!precedes(hits, p, last)) continue;
    inGap[gapOf(sorted, hits, p)]++;
  }
  const out: RankedId[] = [];
  let before = 0;
  for (let i = 0; i < sorted.length; i++) {
    before += inGap[i]!;
    out.push({ id: sorted[i]!.id, rank: before });
  }
  return out;
}

export function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
