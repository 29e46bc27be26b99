/**
 * The full-text index of one user's memories, as the stores use it. Without search workers it is a minisearch index
 * in this thread (`text-local.ts`); with them (the default where there is more than one core), the index lives in
 * every worker and this object forwards changes to them (`search-pool/pooled-text.ts`), so searching never blocks the
 * event loop. Both stores construct it the same way and never see the difference, except that `search` exists only
 * in-thread (pooled searches go through the pool as a whole: `search.ts`).
 */
import type { MemoryEntry } from '../plugin-api/types.ts';
import { defaultSearchPool, type SearchPool } from './search-pool/pool.ts';
import { PooledText } from './search-pool/pooled-text.ts';
import { LocalTextIndex, type ScoredHits, type TextHit } from './text-local.ts';
import pino from 'pino';

export type { TextHit } from './text-local.ts';

/** Used when no store has created the process's pool with its own logger first. */
const fallbackLog = pino({ level: 'warn' });

export class TextIndex {
  private readonly local: LocalTextIndex | null;
  /** The workers' copy, when searches run in the pool. */
  readonly pooled: PooledText | null;

  /** `pool`: the search workers to keep the index in (default: the process's pool; `null`: this thread). */
  constructor(options: { pool?: SearchPool | null } = {}) {
    const pool = options.pool === undefined ? defaultSearchPool(fallbackLog) : options.pool;
    this.pooled = pool ? new PooledText(pool) : null;
    this.local = pool ? null : new LocalTextIndex();
  }

  /** Add or replace an entry. */
  set(entry: MemoryEntry): void {
    if (this.pooled) this.pooled.set(entry);
    else this.local!.set(entry);
  }

  /** Remove an entry if indexed. */
  delete(id: string): void {
    if (this.pooled) this.pooled.delete(id);
    else this.local!.delete(id);
  }

  has(id: string): boolean {
    return this.pooled ? this.pooled.has(id) : this.local!.has(id);
  }

  get size(): number {
    return this.pooled ? this.pooled.size : this.local!.size;
  }

  get isBuilding(): boolean {
    return this.pooled ? this.pooled.isBuilding : this.local!.isBuilding;
  }

  /** Index many entries (in chunks, yielding, when in-thread). */
  build(ids: readonly string[], current: (id: string) => MemoryEntry | undefined): Promise<void> {
    return this.restoreOrBuild(null, ids, current).then(() => undefined);
  }

  /** Load a persisted index (`serialize` output) when it holds exactly `ids`, else build; answers which happened. */
  restoreOrBuild(snapshot: Uint8Array | null, ids: readonly string[], current: (id: string) => MemoryEntry | undefined): Promise<'restored' | 'built'> {
    return this.pooled ? this.pooled.restoreOrBuild(snapshot, ids, current) : this.local!.restoreOrBuild(snapshot, ids, current);
  }

  /** Resolves when a running build is done. */
  whenReady(): Promise<void> {
    return this.pooled ? this.pooled.whenReady() : this.local!.whenReady();
  }

  /** The index as a binary snapshot, persisted at shutdown so the next start need not rebuild it (`null`: none). */
  async serialize(): Promise<Uint8Array | null> {
    return this.pooled ? this.pooled.serialize() : this.local!.snapshot();
  }

  /** Ranked hits (in-thread indexes only; a pooled index is searched in the workers). */
  search(text: string): TextHit[] {
    if (!this.local) throw new Error('a pooled full-text index is searched through its pool');
    return this.local.search(text);
  }

  /** The hits as ranking reads them (in-thread indexes only, as `search`). */
  scored(text: string): ScoredHits {
    if (!this.local) throw new Error('a pooled full-text index is searched through its pool');
    return this.local.scored(text);
  }

  /** Free the workers' copy now (it is freed when this object is collected otherwise). */
  dispose(): void {
    this.pooled?.dispose();
  }
}
