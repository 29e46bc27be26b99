/**
 * The one place that reads minisearch's internal state. minisearch 7 declares its index state `protected`, so a
 * subclass may read it with minisearch's own types; `internalsOf` hands that view out as plain functions. Two things
 * need it: saving and loading a persisted index in a binary form (`text-snapshot.ts`), and scoring a query
 * straight off the postings (`text-score.ts`, minisearch's own BM25+ without its per-hit result objects).
 *
 * The one fallback: when the instance does not look like minisearch 7 inside (another version changed it),
 * `internalsOf` answers `null` and both callers use the public API (`loadJSAsync`, `search`) instead — slower, same
 * results.
 */
import MiniSearch, { type AsPlainObject } from 'minisearch';

/** Postings of one term: field id → (document short id → term frequency). */
export type FieldTermData = Map<number, Map<number, number>>;

/** What the fast paths read and write of a minisearch instance. */
export interface TextInternals {
  /** The postings of `term`, if indexed. */
  termData(term: string): FieldTermData | undefined;
  hasTerm(term: string): boolean;
  setTerm(term: string, data: FieldTermData): void;
  /** Indexed terms that start with `prefix` (including `prefix` itself), with their postings. */
  prefixTerms(prefix: string): Iterable<[string, FieldTermData]>;
  /** Indexed terms within `maxDistance` edits of `term`: term → [postings, distance]. */
  fuzzyTerms(term: string, maxDistance: number): Map<string, [FieldTermData, number]>;
  documentCount(): number;
  /** One more than the largest document short id ever given. */
  nextShortId(): number;
  hasShortId(shortId: number): boolean;
  idOf(shortId: number): string;
  /** The short id of an indexed document id. */
  shortIdOf(id: string): number | undefined;
  /** Length of each field of a document (by field id). */
  fieldLengths(shortId: number): number[] | undefined;
  averageFieldLength(fieldId: number): number;
  fieldId(field: string): number | undefined;
  /** Every indexed term with its postings. */
  terms(): Iterable<[string, FieldTermData]>;
  /** What `toJSON` gives, with an empty term list (the documents' part; the postings are saved apart). */
  plainWithoutTerms(): AsPlainObject;
}

/** Never constructed: its static method may read the protected members of any MiniSearch. */
abstract class MiniSearchInside<T> extends MiniSearch<T> {
  static open<T>(mini: MiniSearch<T>): TextInternals | null {
    const m = mini as MiniSearchInside<T>;
    const index = m._index as unknown as Record<string, unknown> | undefined;
    const shaped =
      index !== undefined &&
      ['get', 'has', 'set', 'atPrefix', 'fuzzyGet'].every((name) => typeof index[name] === 'function') &&
      m._documentIds instanceof Map &&
      m._idToShortId instanceof Map &&
      m._fieldLength instanceof Map &&
      Array.isArray(m._avgFieldLength) &&
      typeof m._fieldIds === 'object' &&
      typeof m._documentCount === 'number' &&
      typeof m._nextId === 'number';
    if (!shaped) return null;
    // Members are read on every call: minisearch replaces some of them (counts, averages) as documents change.
    return {
      termData: (term) => m._index.get(term),
      hasTerm: (term) => m._index.has(term),
      setTerm: (term, data) => void m._index.set(term, data),
      prefixTerms: (prefix) => m._index.atPrefix(prefix),
      fuzzyTerms: (term, maxDistance) => m._index.fuzzyGet(term, maxDistance),
      documentCount: () => m._documentCount,
      nextShortId: () => m._nextId,
      hasShortId: (shortId) => m._documentIds.has(shortId),
      idOf: (shortId) => m._documentIds.get(shortId) as string,
      shortIdOf: (id) => m._idToShortId.get(id),
      fieldLengths: (shortId) => m._fieldLength.get(shortId),
      averageFieldLength: (fieldId) => m._avgFieldLength[fieldId]!,
      fieldId: (field) => m._fieldIds[field],
      terms: () => m._index,
      // The fields of minisearch 7's `toJSON` (serialization version 2) but `index`.
      plainWithoutTerms: () => ({
        documentCount: m._documentCount,
        nextId: m._nextId,
        documentIds: Object.fromEntries(m._documentIds),
        fieldIds: m._fieldIds,
        fieldLength: Object.fromEntries(m._fieldLength),
        averageFieldLength: m._avgFieldLength,
        storedFields: Object.fromEntries(m._storedFields),
        dirtCount: m._dirtCount,
        index: [],
        serializationVersion: 2,
      }),
    };
  }
}

/** minisearch's internals of `mini`, or `null` when they are not what this code knows (use the public API then). */
export function internalsOf<T>(mini: MiniSearch<T>): TextInternals | null {
  return MiniSearchInside.open(mini);
}
