/** The memory contract: the shared memory store, its entries and search. */


/** Memory layers (contract of `alin-api.md`, both lists). */
export type MemoryLayer =
  | 'short_term'
  | 'long_term'
  | 'semantic'
  | 'relational'
  | 'procedural'
  | 'working'
  | 'episodic'
  | 'meta'
  | 'immediate'
  | 'notes'
  | 'self_model';

/** One memory. */
export interface MemoryEntry {
  id: string;
  userId: string;
  content: string;
  layer: MemoryLayer;
  category: string;
  /** 0–1. */
  salience: number;
  tags: string[];
  metadata: Record<string, unknown>;
  isPinned: boolean;
  source: string;
  createdAt: number;
  updatedAt: number;
  expiresAt: number | null;
  /** Id of the embedder that made the vector; `null` until embedded. */
  embedder: string | null;
  dims: number;
}

export interface MemoryInput {
  id?: string;
  content: string;
  layer?: MemoryLayer;
  category?: string;
  salience?: number;
  tags?: string[];
  metadata?: Record<string, unknown>;
  isPinned?: boolean;
  source?: string;
  expiresAt?: number | null;
}

export interface MemoryQuery {
  /** Free text; empty = newest first. */
  search?: string;
  layer?: MemoryLayer;
  category?: string;
  limit?: number;
  offset?: number;
  /** Include expired entries (default false). */
  includeExpired?: boolean;
  /** Order when there is no search text: newest (default) or by salience. */
  order?: 'newest' | 'salience';
  /**
   * No search text only: the caller's own test of an entry, run over the stored entries before any is copied (it
   * must not change what it is given). Only entries it accepts are listed and counted in `total`.
   */
  match?: (entry: Readonly<MemoryEntry>) => boolean;
  /**
   * No search text only: look at no more than the newest (or most salient) this many entries that pass the other
   * filters; `match`, `offset` and `limit` then apply among them. Unset: all entries.
   */
  window?: number;
}

export interface MemorySearchResult {
  entries: Array<MemoryEntry & { score?: number }>;
  total: number;
}

/** The shared memory store (hybrid full-text + vector search), always per user. */
export interface MemoryApi {
  /** Store a memory; an existing id is replaced. */
  add(userId: string, input: MemoryInput): Promise<MemoryEntry>;
  /** Store a new memory; an existing id → 409 `ALREADY_EXISTS`. Atomic: of concurrent creates with one id one wins. */
  create(userId: string, input: MemoryInput): Promise<MemoryEntry>;
  get(userId: string, id: string): Promise<MemoryEntry | undefined>;
  search(userId: string, query: MemoryQuery): Promise<MemorySearchResult>;
  delete(userId: string, id: string): Promise<boolean>;
  /** Delete all of one user's memories; returns how many. */
  clear(userId: string): Promise<number>;
  /** Delete one user's expired memories; returns how many. */
  prune(userId: string): Promise<number>;
  /** Count, for one user or all. */
  count(userId?: string): number;
}
