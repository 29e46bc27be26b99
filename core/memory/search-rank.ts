/**
 * The hybrid ranking of one text query, shared by the main thread (no search workers) and the search workers: the
 * filters, the full-text ranks that can reach the page, and their fusion with the vector ranks. Given the same
 * entries, index and vector hits it answers the same page wherever it runs.
 */
import type { MemoryEntry, MemoryLayer } from '../plugin-api/types.ts';
import { fuse, ranksNeeded, type RankedId } from './rank.ts';
import type { TextHit } from './text-local.ts';
import { insertionPoint, topK } from './top-k.ts';

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
  text: { search(text: string): TextHit[] };
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

/** How many vector hits a page needs (over-fetched: filters and fusion reorder). */
export function vectorHitsWanted(query: RankQuery): number {
  return Math.max(100, (query.offset + query.limit) * 2);
}

/**
 * Rank `text` over the view, fused with `vectorIds` (best first); the page's hits and the exact total.
 *
 * Only the text ranks that can still reach the page are fused (plus deeper ones that the vectors found too), so a
 * common word matching 50k memories costs a pass over its hits, not a 50k-entry sort: the few hits that are fused
 * are selected and sorted, and each one's rank among all the others is counted (`ranksAmong`). `total` stays exact.
 */
export function rankText(view: RankView, query: RankQuery, text: string, vectorIds: readonly string[], now: number): { hits: RankedHit[]; total: number } {
  const accept = acceptFor(query, now);
  const inVectors = new Set(vectorIds);
  const accepted: TextHit[] = [];
  const fused: TextHit[] = [];
  for (const hit of view.text.search(text)) {
    if (!accept(view.entries.get(hit.id))) continue;
    accepted.push(hit);
    if (inVectors.has(hit.id)) fused.push(hit);
  }
  const overlap = fused.length;
  for (const hit of topK(accepted, ranksNeeded(query.offset + query.limit), byTextRank)) if (!inVectors.has(hit.id)) fused.push(hit);
  const textRanked = ranksAmong(fused.sort(byTextRank), accepted);
  const ranked = fuse([textRanked, vectorIds.map((id, rank) => ({ id, rank }))], (id) => view.entries.get(id), now);
  return {
    hits: ranked.slice(query.offset, query.offset + query.limit).map((r) => ({ id: r.entry.id, score: r.score })),
    total: accepted.length + vectorIds.length - overlap,
  };
}

/** Text order: higher score first, ties by id (both drivers then rank equal scores alike, whatever order their indexes were built in). */
function byTextRank(x: TextHit, y: TextHit): number {
  return y.score - x.score || byId(x.id, y.id);
}

/**
 * The rank (0 = best) of each of `sorted` (distinct, in `byTextRank` order) among `all`: how many of `all` come before
 * it. One pass: each hit falls into the gap after the last of `sorted` not after it (binary search); a member's rank
 * is the number of hits in the gaps before it.
 */
function ranksAmong(sorted: readonly TextHit[], all: readonly TextHit[]): RankedId[] {
  const inGap = new Int32Array(sorted.length + 1);
  const last = sorted[sorted.length - 1];
  for (const hit of all) {
    // Most hits rank below every fused one: they precede none of them (one comparison instead of a search).
    if (last === undefined || byTextRank(last, hit) <= 0) continue;
    inGap[insertionPoint(sorted, hit, byTextRank)]++;
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
