/**
 * Full-text index of one user's memories in this thread (minisearch 7): what `TextIndex` uses without search workers,
 * and what each search worker holds. One index per user keeps users apart by construction and keeps each index small.
 *
 * Query cost follows the number of postings visited, so expansion is applied only where it can help: stopwords are
 * dropped, prefix expansion needs ≥ 4 characters, and fuzzy matching (0.2, at most 2 edits, ≥ 5 characters) is used
 * only for a query term the index does not hold — a typo or an unknown word; a term that exists is not a typo, and
 * fuzzing it visited ~3× the postings for matches that rank below its exact ones anyway (issue #16's profile).
 *
 * Replaced and deleted entries are removed from the postings at once (`remove` with the fields they were indexed
 * with), never `discard`ed: minisearch cleans discarded postings lazily *during searches* and counts them in the
 * document frequencies until then, so two copies of one index (the main thread's, a worker's) gave one entry scores
 * 0.3 % apart depending on which searches each had answered before. With eager removal, equal content means equal
 * postings and equal scores, whatever ran before.
 */
import MiniSearch, { type SearchOptions } from 'minisearch';
import type { MemoryEntry } from '../plugin-api/types.ts';
import { idOrderKey } from './id-order.ts';
import { internalsOf, type TextInternals } from './text-internals.ts';
import { loadSnapshot, snapshotOf } from './text-snapshot.ts';
import { TextScorer, type ScoreOptions } from './text-score.ts';
import { processTerm, tokenize } from './text-tokens.ts';

interface IndexedDoc {
  id: string;
  content: string;
  tags: string;
  category: string;
}

const OPTIONS = {
  fields: ['content', 'tags', 'category'],
  idField: 'id',
  tokenize,
  processTerm,
  // Nothing is ever discarded, so there is nothing to vacuum.
  autoVacuum: false,
};

const BOOST = { content: 1, tags: 1.5, category: 0.5 };
const prefixFrom4 = (term: string) => term.length >= 4;

const SEARCH_OPTIONS: SearchOptions = {
  combineWith: 'OR',
  prefix: prefixFrom4,
  fuzzy: false,
  maxFuzzy: 2,
  boost: BOOST,
};

/** A text hit: entry id and minisearch score (BM25+). Hits come unsorted: ranking selects what it needs. */
export interface TextHit {
  id: string;
  score: number;
}

/**
 * The hits of a query as ranking reads them: positions 0…count−1 with their document's short id and score, unsorted.
 * Ranking reads scores off the arrays and turns into ids only the few hits it keeps (and those tied with them), so a
 * common word matching 10,000 memories costs no 10,000 id look-ups or hit objects. Valid until the index's next search.
 */
export interface ScoredHits {
  readonly count: number;
  readonly shortIds: Int32Array;
  readonly scores: Float64Array;
  idOf(shortId: number): string;
  /** `idOrderKey(idOf(shortId))`, read off an array (ties are cut on it; see `id-order.ts`). */
  keyOf(shortId: number): number;
  /** The score of `id` as a hit of this query, 0 when it is not one. */
  scoreOf(id: string): number;
}

/** `ScoredHits` over a list of hits (the library fallback; tests). */
export function scoredHitsOf(hits: readonly TextHit[]): ScoredHits {
  const byId = new Map<string, number>();
  const scores = new Float64Array(hits.length);
  hits.forEach((h, i) => {
    scores[i] = h.score;
    byId.set(h.id, h.score);
  });
  return {
    count: hits.length,
    shortIds: Int32Array.from(hits, (_, i) => i),
    scores,
    idOf: (i) => hits[i]!.id,
    keyOf: (i) => idOrderKey(hits[i]!.id),
    scoreOf: (id) => byId.get(id) ?? 0,
  };
}

/** The full-text index of one user. */
export class LocalTextIndex {
  private mini: MiniSearch<IndexedDoc>;
  /** What each indexed entry was indexed with: `remove` needs the very fields `add` saw. */
  private docs = new Map<string, IndexedDoc>();
  /** Writes made while a persisted index loads, replayed on it once loaded. */
  private replay: Array<TextFields | string> | null = null;
  private ready: Promise<void> = Promise.resolve();
  private building = false;
  /** Fuzzy matching for a query term only when the index does not hold it (see the file comment). */
  private readonly fuzzyUnlessKnown = (term: string): number | false => (term.length >= 5 && !this.knows(term) ? 0.2 : false);
  /** minisearch's internals (null: another minisearch inside; then the public `search` answers). */
  private inside: TextInternals | null = null;
  private scorer: TextScorer | null = null;

  constructor() {
    this.mini = new MiniSearch<IndexedDoc>({ ...OPTIONS, searchOptions: SEARCH_OPTIONS });
    this.adopt(this.mini);
  }

  /** Use `mini` from now on (new, or loaded from a persisted index). */
  private adopt(mini: MiniSearch<IndexedDoc>): void {
    this.mini = mini;
    this.inside = internalsOf(mini);
    const options: ScoreOptions = { fields: OPTIONS.fields, boost: BOOST, prefix: prefixFrom4, fuzzy: this.fuzzyUnlessKnown, maxFuzzy: 2 };
    this.scorer = this.inside ? new TextScorer(this.inside, options) : null;
  }

  /** The index as minisearch's JSON (tests compare indexes by it). */
  toJSON(): string {
    return JSON.stringify(this.mini);
  }

  /** The index as a binary snapshot (`text-snapshot.ts`), persisted at shutdown; `null` when it cannot make one. */
  snapshot(): Uint8Array | null {
    return snapshotOf(this.mini);
  }

  /** Add or replace an entry. */
  set(entry: TextFields): void {
    this.replay?.push(entry);
    this.put(this.mini, this.docs, entry);
  }

  /** Remove an entry if indexed. */
  delete(id: string): void {
    this.replay?.push(id);
    this.take(this.mini, this.docs, id);
  }

  /** Whether `id` is indexed. */
  has(id: string): boolean {
    return this.docs.has(id);
  }

  get size(): number {
    return this.mini.documentCount;
  }

  /**
   * Index many entries in chunks, yielding to the event loop between chunks. `current(id)` gives the entry as it is
   * now: entries deleted meanwhile are skipped, and ones already indexed through `set` are not added twice.
   */
  build(ids: readonly string[], current: (id: string) => TextFields | undefined, chunk = 2000): Promise<void> {
    return this.restoreOrBuild(null, ids, current, chunk).then(() => undefined);
  }

  /**
   * Like `build`, but first tries a persisted index (a `snapshot`): used when it holds exactly `ids`, with the
   * writes made while it loaded replayed on it; otherwise the index is built. Answers which of the two happened.
   * The entries as they are at this call are what the persisted index must hold (the caller checked it against the
   * log), so they are taken now, and writes from now on are recorded for the replay.
   */
  restoreOrBuild(snapshot: Uint8Array | null, ids: readonly string[], current: (id: string) => TextFields | undefined, chunk = 2000): Promise<'restored' | 'built'> {
    this.building = true;
    const persisted = snapshot === null ? null : { snapshot, docs: docsOf(ids, current) };
    if (persisted) this.replay = [];
    const job = (async () => {
      // Never index synchronously inside the caller (load() must return fast).
      await new Promise((r) => setImmediate(r));
      if (persisted && (await this.restore(persisted.snapshot, persisted.docs))) {
        this.building = false;
        return 'restored' as const;
      }
      for (let i = 0; i < ids.length; i += chunk) {
        const end = Math.min(ids.length, i + chunk);
        for (let j = i; j < end; j++) {
          const e = current(ids[j]!);
          if (e && !this.docs.has(e.id)) this.put(this.mini, this.docs, e);
        }
        if (end < ids.length) await new Promise((r) => setImmediate(r));
      }
      this.building = false;
      return 'built' as const;
    })();
    this.ready = job.then(() => undefined);
    return job;
  }

  private async restore(snapshot: Uint8Array, docs: Map<string, IndexedDoc>): Promise<boolean> {
    try {
      const mini = await loadSnapshot<IndexedDoc>(snapshot, { ...OPTIONS, searchOptions: SEARCH_OPTIONS });
      if (mini.documentCount !== docs.size || mini.dirtCount !== 0) return false;
      for (const id of docs.keys()) if (!mini.has(id)) return false;
      for (const op of this.replay!) {
        if (typeof op === 'string') this.take(mini, docs, op);
        else this.put(mini, docs, op);
      }
      this.adopt(mini);
      this.docs = docs;
      return true;
    } catch {
      return false;
    } finally {
      this.replay = null;
    }
  }

  /** Resolves when a running `build` is done. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  get isBuilding(): boolean {
    return this.building;
  }

  /** The hits of a free-text query, unsorted: minisearch's scores, computed off its postings (`text-score.ts`). */
  search(text: string): TextHit[] {
    if (!this.scorer || !this.inside) return this.searchByLibrary(text);
    const { shortIds, scores, count } = this.scorer.score(queryTerms(text));
    const hits: TextHit[] = new Array(count);
    for (let i = 0; i < count; i++) hits[i] = { id: this.inside.idOf(shortIds[i]!), score: scores[i]! };
    return hits;
  }

  /** The hits of a free-text query as ranking reads them (see `ScoredHits`). */
  scored(text: string): ScoredHits {
    const scorer = this.scorer;
    const inside = this.inside;
    if (!scorer || !inside) return scoredHitsOf(this.searchByLibrary(text));
    const { shortIds, scores, count } = scorer.score(queryTerms(text));
    return {
      count,
      shortIds,
      scores,
      idOf: (shortId) => scorer.idOf(shortId),
      keyOf: (shortId) => scorer.keyOf(shortId),
      scoreOf: (id) => {
        const shortId = inside.shortIdOf(id);
        return shortId === undefined ? 0 : scorer.scoreOf(shortId);
      },
    };
  }

  /** The same hits through minisearch's public `search` (the fallback; tests compare the two). */
  searchByLibrary(text: string): TextHit[] {
    return this.mini.search(text, { fuzzy: this.fuzzyUnlessKnown }).map((r) => ({ id: r.id as string, score: r.score }));
  }

  /** Whether a (processed) term is in the index; `false` (so: fuzzy, as for any unknown term) without the internals. */
  private knows(term: string): boolean {
    return this.inside?.hasTerm(term) ?? false;
  }

  private put(mini: MiniSearch<IndexedDoc>, docs: Map<string, IndexedDoc>, entry: TextFields): void {
    this.take(mini, docs, entry.id);
    const doc = toDoc(entry);
    mini.add(doc);
    docs.set(entry.id, doc);
  }

  private take(mini: MiniSearch<IndexedDoc>, docs: Map<string, IndexedDoc>, id: string): void {
    const old = docs.get(id);
    if (!old) return;
    if (mini === this.mini) {
      const shortId = this.inside?.shortIdOf(id);
      if (shortId !== undefined) this.scorer?.forget(shortId);
    }
    mini.remove(old);
    docs.delete(id);
  }
}

/** A query's terms as minisearch makes them: tokenized, processed, empty ones dropped. */
function queryTerms(text: string): string[] {
  const out: string[] = [];
  for (const word of tokenize(text)) {
    const term = processTerm(word);
    if (term) out.push(term);
  }
  return out;
}

function docsOf(ids: readonly string[], current: (id: string) => TextFields | undefined): Map<string, IndexedDoc> {
  const docs = new Map<string, IndexedDoc>();
  for (const id of ids) {
    const e = current(id);
    if (e) docs.set(id, toDoc(e));
  }
  return docs;
}

/** The fields of an entry the index reads. */
export type TextFields = Pick<MemoryEntry, 'id' | 'content' | 'tags' | 'category'>;

function toDoc(e: TextFields): IndexedDoc {
  return { id: e.id, content: e.content, tags: e.tags.join(' '), category: e.category };
}
