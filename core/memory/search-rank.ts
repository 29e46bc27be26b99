/**
 * The hybrid ranking of one text query, shared by the main thread (no search workers) and the search workers: the
 * filters, the full-text ranks that can reach the page, and their fusion with the vector ranks. Given the same
 * entries, index and vector hits it answers the same page wherever it runs.
 */
import type { MemoryEntry, MemoryLayer } from '../plugin-api/types.ts';
import { idOrderKey } from './id-order.ts';
import { fuse, ranksNeeded, type RankedId } from './rank.ts';
import type { ScoredHits, TextHit } from './text-local.ts';

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
  const ranked = fuse([textRanked, vectorIds.map((id, rank) => ({ id, rank }))], (id) => view.entries.get(id), now, query.offset + query.limit);
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
 * The `n` best accepted hits in text order. Two passes over the scores array and no object per hit: the first finds
 * the n-th best score (a min-heap of the best n scores), the second takes the hits above it and those tied with it;
 * only the tied ones are looked up by id (to cut the tie by id), and only the kept ones become hit objects. Insertion
 * into a sorted list of hit objects cost an id look-up per comparison on a tie, and ties are common: a one-word match
 * scores by term frequency and field length alone (issue #16's profile).
 */
function bestHits(hits: ScoredHits, accepted: Int32Array | null, n: number): TextHit[] {
  const count = accepted ? accepted.length : hits.count;
  if (n <= 0 || count === 0) return [];
  const { scores, shortIds } = hits;
  const threshold = nthBestScore(scores, accepted, count, n);
  const kept: TextHit[] = [];
  const tied: TextHit[] = [];
  for (let i = 0; i < count; i++) {
    const p = accepted ? accepted[i]! : i;
    const score = scores[p]!;
    if (score < threshold) continue;
    const hit = { id: hits.idOf(shortIds[p]!), score };
    (score > threshold ? kept : tied).push(hit);
  }
  kept.sort(byTextRank);
  if (kept.length < n) {
    tied.sort(byTextRank);
    for (let i = 0; i < tied.length && kept.length < n; i++) kept.push(tied[i]!);
  }
  return kept;
}

/** The n-th best score among the accepted hits (the lowest when there are fewer): a min-heap of the best n. */
function nthBestScore(scores: Float64Array, accepted: Int32Array | null, count: number, n: number): number {
  const size = Math.min(n, count);
  const heap = new Float64Array(size);
  for (let i = 0; i < size; i++) heapPush(heap, i, scores[accepted ? accepted[i]! : i]!);
  for (let i = size; i < count; i++) {
    const score = scores[accepted ? accepted[i]! : i]!;
    if (score > heap[0]!) heapReplaceTop(heap, score);
  }
  return heap[0]!;
}

function heapPush(heap: Float64Array, size: number, value: number): void {
  let at = size;
  while (at > 0) {
    const parent = (at - 1) >>> 1;
    if (heap[parent]! <= value) break;
    heap[at] = heap[parent]!;
    at = parent;
  }
  heap[at] = value;
}

function heapReplaceTop(heap: Float64Array, value: number): void {
  const size = heap.length;
  let at = 0;
  for (;;) {
    const left = 2 * at + 1;
    if (left >= size) break;
    const right = left + 1;
    const child = right < size && heap[right]! < heap[left]! ? right : left;
    if (heap[child]! >= value) break;
    heap[at] = heap[child]!;
    at = child;
  }
  heap[at] = value;
}

/**
 * The rank (0 = best) of each of `sorted` (distinct, in `byTextRank` order) among the accepted hits: how many of them
 * come before it. One pass: each hit falls into the gap after the last of `sorted` not after it; a member's rank is
 * the number of hits in the gaps before it. The gap is found on the members' scores (a typed array, binary search);
 * a hit's id is read only when its score equals a member's (then the id orders them, as `byTextRank`).
 */
function ranksAmong(sorted: readonly TextHit[], hits: ScoredHits, accepted: Int32Array | null): RankedId[] {
  const m = sorted.length;
  const out: RankedId[] = [];
  if (m === 0) return out;
  const memberScores = new Float64Array(m);
  const memberKeys = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    memberScores[i] = sorted[i]!.score;
    memberKeys[i] = idOrderKey(sorted[i]!.id);
  }
  const lowest = memberScores[m - 1]!;
  const inGap = new Int32Array(m + 1);
  const { scores, shortIds } = hits;
  const count = accepted ? accepted.length : hits.count;
  for (let i = 0; i < count; i++) {
    const p = accepted ? accepted[i]! : i;
    const score = scores[p]!;
    // Most hits rank below every member: they precede none of them (one comparison).
    if (score < lowest) continue;
    // Members scoring more than the hit: all before its gap.
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (memberScores[mid]! > score) lo = mid + 1;
      else hi = mid;
    }
    // Members tied with it (their ids ascending): the hit comes after those whose id is not greater than its own.
    // The ids' order keys decide most of it; the id itself is read only when a key is equal (see `id-order.ts`).
    if (lo < m && memberScores[lo] === score) {
      const key = hits.keyOf(shortIds[p]!);
      let id: string | undefined;
      while (lo < m && memberScores[lo] === score) {
        const memberKey = memberKeys[lo]!;
        if (memberKey > key) break;
        if (memberKey === key && sorted[lo]!.id > (id ??= hits.idOf(shortIds[p]!))) break;
        lo++;
      }
    }
    inGap[lo]++;
  }
  let before = 0;
  for (let i = 0; i < m; i++) {
    before += inGap[i]!;
    out.push({ id: sorted[i]!.id, rank: before });
  }
  return out;
}

export function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
