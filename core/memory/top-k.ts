/**
 * The first `k` items of `items` in `compare` order, without sorting all of them: listing the newest 80 of 20,000
 * memories sorted the whole list on every request (issue #16's profile). Items are visited from the end, because the
 * store keeps entries in insertion order and lists are mostly newest first, so the kept window mostly grows at its tail
 * and older items are refused by one comparison. Same result as `[...items].sort(compare).slice(0, k)` for a total
 * order (ties must be broken by the comparator, as the memory orders do with the id).
 */
export function topK<T>(items: readonly T[], k: number, compare: (a: T, b: T) => number): T[] {
  if (k <= 0) return [];
  if (k * 4 >= items.length) return [...items].sort(compare).slice(0, k);
  const kept: T[] = [];
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    if (kept.length === k && compare(item, kept[k - 1]!) >= 0) continue;
    kept.splice(insertionPoint(kept, item, compare), 0, item);
    if (kept.length > k) kept.pop();
  }
  return kept;
}

/** Where `item` goes in the sorted `kept` (after equal items, so the order stays stable). */
export function insertionPoint<T>(kept: readonly T[], item: T, compare: (a: T, b: T) => number): number {
  let lo = 0;
  let hi = kept.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(kept[mid]!, item) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
