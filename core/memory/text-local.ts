/**
 * Full-text index of one user's memories in this thread (minisearch 7): what `TextIndex` uses without search workers,
 * and what each search worker holds. One index per user keeps users apart by construction and
 * keeps each index small. Query options are capped because minisearch latency follows the number of hits: stopwords
 * are dropped, prefix expansion needs ≥ 4 characters, fuzzy matching (0.2, at most 2 edits) needs ≥ 5.
 */
import MiniSearch, { type SearchOptions } from 'minisearch';
import type { MemoryEntry } from '../plugin-api/types.ts';
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
};

const SEARCH_OPTIONS: SearchOptions = {
  combineWith: 'OR',
  prefix: (term) => term.length >= 4,
  fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
  maxFuzzy: 2,
  boost: { content: 1, tags: 1.5, category: 0.5 },
};

/** A text hit: entry id and minisearch score (BM25+). */
export interface TextHit {
  id: string;
  score: number;
}

/** The full-text index of one user. */
export class LocalTextIndex {
  private mini: MiniSearch<IndexedDoc>;
  /** Writes made while a persisted index loads, replayed on it once loaded. */
  private replay: Array<TextFields | string> | null = null;
  private ready: Promise<void> = Promise.resolve();
  private building = false;

  constructor(mini?: MiniSearch<IndexedDoc>) {
    this.mini = mini ?? new MiniSearch<IndexedDoc>({ ...OPTIONS, searchOptions: SEARCH_OPTIONS });
  }

  /** The index as JSON (persisted at shutdown so the next start need not rebuild it). */
  toJSON(): string {
    return JSON.stringify(this.mini);
  }

  /** An index from `toJSON` output (chunked parse inside minisearch, off the hot path at load). */
  static async fromJSON(json: string): Promise<LocalTextIndex> {
    return new LocalTextIndex(await MiniSearch.loadJSONAsync<IndexedDoc>(json, { ...OPTIONS, searchOptions: SEARCH_OPTIONS }));
  }

  /** Add or replace an entry. */
  set(entry: TextFields): void {
    this.replay?.push(entry);
    if (this.mini.has(entry.id)) this.mini.discard(entry.id);
    this.mini.add(toDoc(entry));
  }

  /** Remove an entry if indexed. */
  delete(id: string): void {
    this.replay?.push(id);
    if (this.mini.has(id)) this.mini.discard(id);
  }

  /** Whether `id` is indexed. */
  has(id: string): boolean {
    return this.mini.has(id);
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
   * Like `build`, but first tries a persisted index (`toJSON` output): used when it holds exactly `ids`, with the
   * writes made while it loaded replayed on it; otherwise the index is built. Answers which of the two happened.
   */
  restoreOrBuild(json: string | null, ids: readonly string[], current: (id: string) => TextFields | undefined, chunk = 2000): Promise<'restored' | 'built'> {
    this.building = true;
    const job = (async () => {
      // Never index synchronously inside the caller (load() must return fast).
      await new Promise((r) => setImmediate(r));
      if (json !== null && (await this.restore(json, ids))) {
        this.building = false;
        return 'restored' as const;
      }
      for (let i = 0; i < ids.length; i += chunk) {
        const end = Math.min(ids.length, i + chunk);
        for (let j = i; j < end; j++) {
          const e = current(ids[j]!);
          if (e && !this.mini.has(e.id)) this.mini.add(toDoc(e));
        }
        if (end < ids.length) await new Promise((r) => setImmediate(r));
      }
      this.building = false;
      return 'built' as const;
    })();
    this.ready = job.then(() => undefined);
    return job;
  }

  private async restore(json: string, ids: readonly string[]): Promise<boolean> {
    this.replay = [];
    try {
      const mini = await MiniSearch.loadJSONAsync<IndexedDoc>(json, { ...OPTIONS, searchOptions: SEARCH_OPTIONS });
      if (mini.documentCount !== ids.length || !ids.every((id) => mini.has(id))) return false;
      for (const op of this.replay) {
        const id = typeof op === 'string' ? op : op.id;
        if (mini.has(id)) mini.discard(id);
        if (typeof op !== 'string') mini.add(toDoc(op));
      }
      this.mini = mini;
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

  /** Ranked hits for a free-text query (best first). */
  search(text: string): TextHit[] {
    return this.mini.search(text).map((r) => ({ id: r.id as string, score: r.score }));
  }
}

/** The fields of an entry the index reads. */
export type TextFields = Pick<MemoryEntry, 'id' | 'content' | 'tags' | 'category'>;

function toDoc(e: TextFields): IndexedDoc {
  return { id: e.id, content: e.content, tags: e.tags.join(' '), category: e.category };
}
