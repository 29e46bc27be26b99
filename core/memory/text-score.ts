/**
 * minisearch's own query scoring (BM25+, OR of the query terms, exact + prefix + fuzzy derivations, field boosts,
 * × the number of distinct query terms matched) computed straight off its postings into dense score arrays.
 *
 * Why: `MiniSearch.search` builds, per hit, a result object with a `match` dictionary, a terms list and a copy of
 * the stored fields, then sorts them all — for a query whose common word matches half of 20,000 memories that was
 * most of a search's CPU (issue #16's profile), and ranking needs only ids and scores. The arithmetic here is the
 * library's, in the library's order (a document's contributions from one query term are summed first, those sums
 * then added term by term), so the scores are the same numbers `search` gives — `text-score.test.ts` compares them.
 *
 * One scorer per index, reused: its scratch arrays grow with the index and only the touched slots are reset.
 */
import { idOrderKey } from './id-order.ts';
import type { FieldTermData, TextInternals } from './text-internals.ts';

/** The search options this scorer implements (the ones `text-local.ts` uses; minisearch's defaults otherwise). */
export interface ScoreOptions {
  fields: readonly string[];
  boost: Readonly<Record<string, number>>;
  prefix: (term: string) => boolean;
  fuzzy: (term: string) => number | false;
  maxFuzzy: number;
}

/** Scores of the matching documents (unsorted): short ids and scores, `count` of them. */
export interface ScoredDocs {
  shortIds: Int32Array;
  scores: Float64Array;
  count: number;
}

// minisearch 7's defaults.
const BM25 = { k: 1.2, b: 0.7, d: 0.5 };
const PREFIX_WEIGHT = 0.375;
const FUZZY_WEIGHT = 0.45;

/** BM25's inverse document frequency of a term in `m` of `documentCount` documents (a module function: a closure per call cost a `__name` wrapper under tsx). */
function idf(documentCount: number, m: number): number {
  return Math.log(1 + (documentCount - m + 0.5) / (m + 0.5));
}

export class TextScorer {
  private total = new Float64Array(0);
  private current = new Float64Array(0);
  private quality = new Uint16Array(0);
  private touchedTotal = new Int32Array(0);
  private touchedCurrent = new Int32Array(0);
  private totalCount = 0;
  private currentCount = 0;
  /**
   * Field lengths by document (one array per field, by short id) and whether a short id is a document: what BM25
   * reads of each posting, copied out of minisearch's maps (two hash look-ups per posting, a third of the scoring at
   * 100k memories). A document's lengths never change (a replaced one gets a new short id), so copying the ids given
   * since the last search keeps them current; `forget` marks a removed one.
   */
  private lengths: Float64Array[] = [];
  private alive = new Uint8Array(0);
  /**
   * Document id by short id, copied alongside the lengths: ranking reads the id of every hit tied with one it keeps
   * (about half of them for two-word queries), and an array slot is cheaper than minisearch's Map look-up.
   */
  private ids: string[] = [];
  /** `idOrderKey` of each id, by short id (ties are cut on these numbers; see `id-order.ts`). */
  private keys = new Float64Array(0);
  private synced = 0;

  /** The last call's final scores by document (0: not a hit), for `scoreOf`; cleared at the next call. */
  private final = new Float64Array(0);
  private lastHits = new Int32Array(0);

  constructor(
    private readonly index: TextInternals,
    private readonly options: ScoreOptions,
  ) {}

  /** Score the processed query `terms` (as minisearch's tokenize + processTerm give them). Valid until the next call. */
  score(terms: readonly string[]): ScoredDocs {
    this.reserve(this.index.nextShortId());
    this.syncLengths();
    for (let i = 0; i < this.lastHits.length; i++) this.final[this.lastHits[i]!] = 0;
    this.totalCount = 0;
    const seen = new Set<string>();
    for (const term of terms) {
      this.scoreTerm(term);
      // A repeated term adds its score again but is one matched term for the quality factor (as minisearch).
      const distinct = !seen.has(term);
      seen.add(term);
      this.foldCurrent(distinct);
    }
    const shortIds = this.touchedTotal.slice(0, this.totalCount);
    const scores = new Float64Array(this.totalCount);
    for (let i = 0; i < this.totalCount; i++) {
      const doc = shortIds[i]!;
      scores[i] = this.total[doc]! * (this.quality[doc]! || 1);
      this.final[doc] = scores[i]!;
      this.total[doc] = 0;
      this.quality[doc] = 0;
    }
    this.lastHits = shortIds;
    return { shortIds, scores, count: this.totalCount };
  }

  /**
   * The score of document `shortId` in the last `score` call, 0 when it was not a hit (BM25+ scores of a hit are
   * always positive): ranking asks it of each vector hit instead of hashing every text hit's id into a set.
   */
  scoreOf(shortId: number): number {
    return this.final[shortId] ?? 0;
  }

  /** The id of document `shortId`, a hit of the last `score` call. */
  idOf(shortId: number): string {
    return this.ids[shortId] || this.index.idOf(shortId);
  }

  /** The order key of document `shortId`'s id (`id-order.ts`), a hit of the last `score` call. */
  keyOf(shortId: number): number {
    const key = this.keys[shortId]!;
    // NaN: not copied (not a document when the lengths were synced), as `idOf` falls back to the index.
    return key === key ? key : idOrderKey(this.idOf(shortId));
  }

  /** Document `shortId` is being removed from the index. */
  forget(shortId: number): void {
    if (shortId < this.synced) this.alive[shortId] = 0;
  }

  /** Copy the lengths of the documents added since the last search (`reserve` has made room). */
  private syncLengths(): void {
    const next = this.index.nextShortId();
    const fieldIds = this.options.fields.map((field) => this.index.fieldId(field));
    for (let doc = this.synced; doc < next; doc++) {
      const lengths = this.index.hasShortId(doc) ? this.index.fieldLengths(doc) : undefined;
      this.alive[doc] = lengths ? 1 : 0;
      // Every slot written, in order (a packed array; '' for a short id that is no document).
      this.ids[doc] = lengths ? this.index.idOf(doc) : '';
      this.keys[doc] = lengths ? idOrderKey(this.ids[doc]!) : NaN;
      if (!lengths) continue;
      for (let f = 0; f < fieldIds.length; f++) this.lengths[f]![doc] = fieldIds[f] === undefined ? 0 : lengths[fieldIds[f]!]!;
    }
    this.synced = Math.max(this.synced, next);
  }

  /** One query term's contributions into `current`: exact, then prefix, then fuzzy derivations (minisearch's order). */
  private scoreTerm(term: string): void {
    this.currentCount = 0;
    this.addPostings(1, this.index.termData(term));
    const fuzzy = this.options.fuzzy(term);
    let fuzzyMatches: Map<string, [FieldTermData, number]> | undefined;
    if (fuzzy !== false) {
      const maxDistance = fuzzy < 1 ? Math.min(this.options.maxFuzzy, Math.round(term.length * fuzzy)) : fuzzy;
      if (maxDistance) fuzzyMatches = this.index.fuzzyTerms(term, maxDistance);
    }
    if (this.options.prefix(term)) {
      for (const [derived, data] of this.index.prefixTerms(term)) {
        const distance = derived.length - term.length;
        if (!distance) continue;
        fuzzyMatches?.delete(derived);
        this.addPostings((PREFIX_WEIGHT * derived.length) / (derived.length + 0.3 * distance), data);
      }
    }
    if (fuzzyMatches) {
      for (const [derived, [data, distance]] of fuzzyMatches) {
        if (!distance) continue;
        this.addPostings((FUZZY_WEIGHT * derived.length) / (derived.length + distance), data);
      }
    }
  }

  private addPostings(termWeight: number, data: FieldTermData | undefined): void {
    if (!data) return;
    const { index, current } = this;
    const documentCount = index.documentCount();
    const { alive } = this;
    for (let f = 0; f < this.options.fields.length; f++) {
      const field = this.options.fields[f]!;
      const fieldBoost = this.options.boost[field] || 1;
      const fieldId = index.fieldId(field);
      const freqs = fieldId === undefined ? undefined : data.get(fieldId);
      if (!freqs) continue;
      const lengths = this.lengths[f]!;
      let matching = freqs.size;
      const avgLength = index.averageFieldLength(fieldId!);
      let invDocFreq = idf(documentCount, matching);
      for (const [doc, termFreq] of freqs) {
        if (alive[doc] !== 1) {
          // A discarded document (never made here); minisearch skips it and counts one match less from then on.
          invDocFreq = idf(documentCount, --matching);
          continue;
        }
        const fieldLength = lengths[doc]!;
        const raw = invDocFreq * (BM25.d + (termFreq * (BM25.k + 1)) / (termFreq + BM25.k * (1 - BM25.b + (BM25.b * fieldLength) / avgLength)));
        if (current[doc] === 0) this.touchedCurrent[this.currentCount++] = doc;
        current[doc] += termWeight * fieldBoost * raw;
      }
    }
  }

  /** Add `current` into `total` (a document's first sum is taken as is, later ones added) and clear it. */
  private foldCurrent(distinct: boolean): void {
    const { total, current, quality } = this;
    for (let i = 0; i < this.currentCount; i++) {
      const doc = this.touchedCurrent[i]!;
      if (total[doc] === 0) this.touchedTotal[this.totalCount++] = doc;
      total[doc] += current[doc]!;
      if (distinct) quality[doc]++;
      current[doc] = 0;
    }
  }

  private reserve(size: number): void {
    if (this.total.length >= size) return;
    const capacity = Math.max(size, this.total.length * 2, 1024);
    this.total = new Float64Array(capacity);
    this.current = new Float64Array(capacity);
    this.quality = new Uint16Array(capacity);
    this.touchedTotal = new Int32Array(capacity);
    this.touchedCurrent = new Int32Array(capacity);
    const lengths = this.options.fields.map(() => new Float64Array(capacity));
    for (let f = 0; f < lengths.length; f++) if (this.lengths[f]) lengths[f]!.set(this.lengths[f]!);
    this.lengths = lengths;
    const alive = new Uint8Array(capacity);
    alive.set(this.alive);
    this.alive = alive;
    const keys = new Float64Array(capacity).fill(NaN);
    keys.set(this.keys);
    this.keys = keys;
    // Grown before the last call's scores are cleared: a fresh array has none to clear.
    this.final = new Float64Array(capacity);
    this.lastHits = new Int32Array(0);
  }
}
