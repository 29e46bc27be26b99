/**
 * A quick "cannot match" test in front of the original AION search's case-insensitive substring test (`memory-view.ts`).
 * That test ran an `iu` expression over ~300 characters of each of the newest 1,000 entries on every request, and two
 * random words almost never occur there: the regex scan was about a tenth of the server's CPU on
 * `GET /api/memory?search=` (issue #16's profile). Each entry's letter pairs are kept in a 1,024-bit set; an entry
 * whose set lacks a pair of the search cannot contain it, and only the rest are tested with the expression, so the
 * answers are the ones the expression alone gives.
 *
 * Why it never refuses a match: under `iu` a character matches when both have the same simple case folding. A pair is
 * only taken from two adjacent UTF-16 units that are each ASCII or one of the only two other characters whose folding
 * is ASCII (U+212A KELVIN SIGN → k, U+017F LONG S → s; checked over every code point), keyed by that ASCII letter, lower
 * case. Such units are whole code points, so if the search matches, each of its pairs is a pair of adjacent units of
 * the text with the same keys. Pairs touching any other character are not used (their matches may differ in length).
 */
import type { MemoryEntry } from '../../core/plugin-api/index.ts';

const WORDS = 32; // 32 × 32 bits

/** The ASCII key of a UTF-16 unit, or -1 for one whose case folding is not ASCII. */
function keyOf(unit: number): number {
  if (unit < 0x80) return unit >= 0x41 && unit <= 0x5a ? unit + 0x20 : unit;
  if (unit === 0x212a) return 0x6b; // KELVIN SIGN folds to k
  if (unit === 0x17f) return 0x73; // LONG S folds to s
  return -1;
}

const bitOf = (a: number, b: number) => (a * 31 + b) & (WORDS * 32 - 1);

/** Adds the pairs of `text` to `set`. */
function addPairs(set: Uint32Array, text: string): void {
  let prev = -1;
  for (let i = 0; i < text.length; i++) {
    const k = keyOf(text.charCodeAt(i));
    if (k >= 0 && prev >= 0) {
      const bit = bitOf(prev, k);
      set[bit >>> 5]! |= 1 << (bit & 31);
    }
    prev = k;
  }
}

/** The bits of the search's pairs (distinct), or null when it has none to test (one character, or no ASCII pairs). */
export function pairsOfSearch(search: string): Uint32Array | null {
  const set = new Uint32Array(WORDS);
  addPairs(set, search);
  const bits: number[] = [];
  for (let w = 0; w < WORDS; w++) for (let b = 0; b < 32; b++) if (set[w]! & (1 << b)) bits.push(w * 32 + b);
  return bits.length ? Uint32Array.from(bits) : null;
}

/** What an entry's set was built from: the set is rebuilt when any of them is not the same string. */
interface Cached {
  content: string;
  summary: unknown;
  lesson: unknown;
  category: string;
  set: Uint32Array;
}

/**
 * Per entry object of the store (the `match` callback sees the store's own entries): kept while the store keeps the
 * entry, dropped with it. A replaced entry is a new object; one changed in place is caught by the source check.
 */
const cache = new WeakMap<Readonly<MemoryEntry>, Cached>();

/**
 * The entry's pair set over every text the substring test may read: the first 600 characters of the content (the
 * summary's 250 are inside), the metadata's summary and lesson when they are strings, and the category. Reading more
 * than the test reads only lets more entries through to it.
 */
function setOf(e: Readonly<MemoryEntry>): Uint32Array {
  const meta = e.metadata ?? {};
  const c = cache.get(e);
  if (c !== undefined && c.content === e.content && c.summary === meta.summary && c.lesson === meta.lesson && c.category === e.category) return c.set;
  const set = new Uint32Array(WORDS);
  addPairs(set, e.content.slice(0, 600));
  if (typeof meta.summary === 'string') addPairs(set, meta.summary.slice(0, 250));
  if (typeof meta.lesson === 'string') addPairs(set, meta.lesson.slice(0, 600));
  addPairs(set, e.category || 'general');
  cache.set(e, { content: e.content, summary: meta.summary, lesson: meta.lesson, category: e.category, set });
  return set;
}

/** False when the entry cannot contain the search (some pair of `bits` is missing); true means "test it". */
export function mayContain(e: Readonly<MemoryEntry>, bits: Uint32Array): boolean {
  const set = setOf(e);
  for (let i = 0; i < bits.length; i++) {
    const bit = bits[i]!;
    if ((set[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
  }
  return true;
}
