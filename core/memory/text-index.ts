/**
 * Full-text index of one user's memories (minisearch 7). One index per user keeps users apart by construction and
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
export class TextIndex {
  private readonly mini = new MiniSearch<IndexedDoc>({
    fields: ['content', 'tags', 'category'],
    idField: 'id',
    tokenize,
    processTerm,
    searchOptions: SEARCH_OPTIONS,
  });
  private ready: Promise<void> = Promise.resolve();
  private building = false;

  /** Add or replace an entry. */
  set(entry: MemoryEntry): void {
    if (this.mini.has(entry.id)) this.mini.discard(entry.id);
    this.mini.add(toDoc(entry));
  }

  /** Remove an entry if indexed. */
  delete(id: string): void {
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
  build(ids: readonly string[], current: (id: string) => MemoryEntry | undefined, chunk = 2000): Promise<void> {
    this.building = true;
    this.ready = (async () => {
      // Never index synchronously inside the caller (load() must return fast).
      await new Promise((r) => setImmediate(r));
      for (let i = 0; i < ids.length; i += chunk) {
        const end = Math.min(ids.length, i + chunk);
        for (let j = i; j < end; j++) {
          const e = current(ids[j]!);
          if (e && !this.mini.has(e.id)) this.mini.add(toDoc(e));
        }
        if (end < ids.length) await new Promise((r) => setImmediate(r));
      }
      this.building = false;
    })();
    return this.ready;
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

function toDoc(e: MemoryEntry): IndexedDoc {
  return { id: e.id, content: e.content, tags: e.tags.join(' '), category: e.category };
}
