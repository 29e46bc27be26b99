/**
 * The hybrid ranking of one text query, shared by the main thread (no search workers) and the search workers: the
 * filters, the full-text ranks that can reach the page, and their fusion with the vector ranks. Given the same
 * entries, index and vector hits it answers the same page wherever it runs.
 */
import type { MemoryEntry, MemoryLayer } from '../plugin-api/types.ts';
import { fuse, ranksNeeded, type RankedId } from './rank.ts';
import type { TextHit } from './text-local.ts';

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

/** Rank `text` over the view, fused with `vectorIds` (best first); the page's hits and the exact total. */
export function rankText(view: RankView, query: RankQuery, text: string, vectorIds: readonly string[], now: number): { hits: RankedHit[]; total: number } {
  const accept = acceptFor(query, now);
  const inVectors = new Set(vectorIds);
  // Only the text ranks that can still reach the page are fused (plus deeper ones that the vectors found too), so a
  // common word matching 50k memories costs a count, not a 50k-entry sort. `total` stays exact.
  const textCap = ranksNeeded(query.offset + query.limit);
  const textRanked: RankedId[] = [];
  let textTotal = 0;
  let overlap = 0;
  // Ties broken by id: both drivers then rank equal scores alike, whatever order their indexes were built in.
  const textHits = view.text.search(text).sort((x, y) => y.score - x.score || byId(x.id, y.id));
  for (const hit of textHits) {
    if (!accept(view.entries.get(hit.id))) continue;
    const rank = textTotal++;
    const alsoVector = inVectors.has(hit.id);
    if (alsoVector) overlap++;
    if (rank < textCap || alsoVector) textRanked.push({ id: hit.id, rank });
  }
  const ranked = fuse([textRanked, vectorIds.map((id, rank) => ({ id, rank }))], (id) => view.entries.get(id), now);
  return {
    hits: ranked.slice(query.offset, query.offset + query.limit).map((r) => ({ id: r.entry.id, score: r.score })),
    total: textTotal + vectorIds.length - overlap,
  };
}

export function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
