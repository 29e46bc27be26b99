/**
 * Ranking: reciprocal-rank fusion of the full-text and vector result lists, then a gentle weighting by salience,
 * recency and pinning. RRF scores of neighbouring ranks differ by only ~1.6 % (k = 60), so the weights are kept small
 * (salience ±10 %, recency ≤ +5 %, pinned +5 %): they break near-ties and lift important memories a few places,
 * but never let an important yet irrelevant memory outrank a real match.
 */
import type { MemoryEntry } from '../plugin-api/types.ts';
import { topK } from './top-k.ts';

/** What ranking reads of an entry. */
export type WeightFields = Pick<MemoryEntry, 'id' | 'salience' | 'updatedAt' | 'createdAt' | 'isPinned'>;

/** The RRF constant. */
export const RRF_K = 60;

const DAY_MS = 86_400_000;
const RECENCY_DAYS = 30;

/** Multiplier for an entry's intrinsic value: salience (0–1), recency, pinned. */
export function entryWeight(entry: WeightFields, now: number): number {
  const salience = Number.isFinite(entry.salience) ? Math.min(1, Math.max(0, entry.salience)) : 0.5;
  const ageDays = Math.max(0, now - entry.updatedAt) / DAY_MS;
  const recency = 1 + 0.05 * Math.exp(-ageDays / RECENCY_DAYS);
  return (1 + 0.2 * (salience - 0.5)) * recency * (entry.isPinned ? 1.05 : 1);
}

/**
 * The largest ratio between two entries' weights (best: salience 1, brand new, pinned; worst: salience 0, old). It
 * bounds how far down a list an entry can come from and still reach the top n: see `textRanksNeeded`.
 */
export const WEIGHT_SPREAD = (1.1 * 1.05 * 1.05) / 0.9;

/**
 * How many of a list's best ranks can reach the fused top `n`: an entry at list rank r scores at most
 * WEIGHT_SPREAD / (k + r + 1) times the worst weight, which for r past this bound is below what the list's own n-th
 * entry scores. Entries past it that also appear in another list must still be passed with their true rank.
 */
export function ranksNeeded(n: number, k = RRF_K): number {
  return Math.ceil(WEIGHT_SPREAD * (k + n + 1) - k);
}

/** An id at its rank (0 = best) in one result list. */
export interface RankedId {
  id: string;
  rank: number;
}

/** A fused result. */
export interface RankedEntry<E extends WeightFields = MemoryEntry> {
  entry: E;
  score: number;
}

/**
 * Fuse ranked id lists by RRF, weight by `entryWeight`, best first. Ids missing from `entries` are ignored.
 * Ties go to the newer entry, then to the smaller id (so both drivers order them alike). With `top`, only the best
 * `top` are returned (selected, not all sorted: a page of 10 out of ~150 fused hits).
 */
export function fuse<E extends WeightFields>(lists: RankedId[][], entries: (id: string) => E | undefined, now: number, top = Infinity, k = RRF_K): RankedEntry<E>[] {
  const rrf = new Map<string, number>();
  for (const list of lists) {
    for (const { id, rank } of list) rrf.set(id, (rrf.get(id) ?? 0) + 1 / (k + rank + 1));
  }
  const out: RankedEntry<E>[] = [];
  for (const [id, score] of rrf) {
    const entry = entries(id);
    if (entry) out.push({ entry, score: score * entryWeight(entry, now) });
  }
  return top < out.length ? topK(out, top, byFusedRank) : out.sort(byFusedRank);
}

function byFusedRank<E extends WeightFields>(a: RankedEntry<E>, b: RankedEntry<E>): number {
  return b.score - a.score || b.entry.createdAt - a.entry.createdAt || (a.entry.id < b.entry.id ? -1 : a.entry.id > b.entry.id ? 1 : 0);
}
