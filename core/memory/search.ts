/**
 * Hybrid search over one user's in-process view (entries, full-text index, vector index): the same code for both
 * drivers, so the same data gives the same results on lowdb files and on PostgreSQL. A text query is ranked by
 * `search-rank.ts`, in a search worker when the view's full-text index lives in the pool, else right here.
 */
import type { Logger } from 'pino';
import type { EmbedderDefinition, MemoryEntry, MemoryQuery, MemorySearchResult } from '../plugin-api/types.ts';
import { clampInt, copyEntry } from './entry.ts';
import { byNewest, EntryTable } from './entry-table.ts';
import type { VectorPlan } from './search-pool/protocol.ts';
import { acceptFor, byId, filtersRefuse, rankText, vectorHitsWanted, type RankedHit, type RankQuery } from './search-rank.ts';
import type { TextIndex } from './text-index.ts';
import { topK } from './top-k.ts';
import type { VectorIndex } from './vector-index.ts';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

/** One user's searchable state. */
export interface UserView {
  entries: Map<string, MemoryEntry>;
  text: TextIndex;
  vectors: VectorIndex | null;
}

/**
 * Vector top-k as ids, best first, answered outside the view's index (the PostgreSQL driver's pgvector path); `null`
 * means "not available now": the view's own index answers.
 */
export type VectorSearch = (query: Float32Array, k: number, accept: (id: string) => boolean, minSim: number) => Promise<string[] | null>;

export interface SearchDeps {
  embedder: EmbedderDefinition;
  minSimilarity: number;
  log: Logger;
  /** Tried before the view's vector index (pgvector). */
  vectorSearch?: VectorSearch;
  /** The clock of filters and recency weights (default: now). */
  now?: number;
}

export async function searchView(view: UserView, query: MemoryQuery, deps: SearchDeps): Promise<MemorySearchResult> {
  const rankQuery: RankQuery = {
    layer: query.layer,
    category: query.category,
    includeExpired: query.includeExpired === true,
    limit: clampInt(query.limit, DEFAULT_LIMIT, 0, MAX_LIMIT),
    offset: clampInt(query.offset, 0, 0, Number.MAX_SAFE_INTEGER),
  };
  const now = deps.now ?? Date.now();
  const text = typeof query.search === 'string' ? query.search.trim() : '';
  if (text === '') return listView(view, rankQuery, listOptions(query), now);

  const acceptId = vectorFilter(view, rankQuery, now);
  const plan = await vectorPlan(view, text, rankQuery, acceptId, deps);
  const pooled = view.text.pooled;
  let ranked: { hits: RankedHit[]; total: number };
  if (pooled) {
    const answer = await pooled.pool.request((req) => ({ op: 'search', req, text: pooled.handle, query: rankQuery, search: text, vectors: plan, now }));
    if (!('hits' in answer)) throw new Error('unexpected answer from a search worker');
    ranked = answer;
  } else {
    await view.text.whenReady();
    const vectorIds = plan.kind === 'ids' ? plan.ids : plan.kind === 'scan' ? scanHere(view.vectors!, plan, acceptId) : [];
    ranked = rankText({ entries: view.entries, text: view.text, mayExpire: mayExpire(view) }, rankQuery, text, vectorIds, now);
  }
  // Entries as they are now: one deleted while the worker ranked is left out.
  const entries: MemorySearchResult['entries'] = [];
  for (const hit of ranked.hits) {
    const e = view.entries.get(hit.id);
    if (e) entries.push({ ...copyEntry(e), score: hit.score });
  }
  return { entries, total: ranked.total };
}

/**
 * The filter of vector hits by id. When no filter can refuse an entry, every vector is a result: the files driver's
 * view (an `EntryTable`, the only one that knows it holds no expiring entry) has a vector only for an entry it holds.
 * Then no candidate is looked up: after the int8 scan has swept the caches, 400 look-ups of random entries by id
 * cost about as much as the float re-ranking of those candidates (issue #16's profile).
 */
function vectorFilter(view: UserView, query: RankQuery, now: number): (id: string) => boolean {
  if (!filtersRefuse(query, mayExpire(view))) return () => true;
  const accept = acceptFor(query, now);
  return (id) => accept(view.entries.get(id));
}

/** Whether an entry of the view may have expired (unknown unless the entries are an `EntryTable`, which counts them). */
function mayExpire(view: UserView): boolean | undefined {
  return view.entries instanceof EntryTable ? view.entries.hasExpiring : undefined;
}

const bySalience = (a: MemoryEntry, b: MemoryEntry) => b.salience - a.salience || byNewest(a, b);

/** What a listing (no search text) takes beyond the filters and the page. */
interface ListOptions {
  order: MemoryQuery['order'];
  match: ((entry: Readonly<MemoryEntry>) => boolean) | null;
  /** How many of the first entries (in the listing's order) that pass the filters are looked at. */
  window: number;
}

function listOptions(query: MemoryQuery): ListOptions {
  return {
    order: query.order,
    match: typeof query.match === 'function' ? query.match : null,
    window: clampInt(query.window, Number.MAX_SAFE_INTEGER, 0, Number.MAX_SAFE_INTEGER),
  };
}

/** No search text: the newest (or most salient) entries that pass the filters (and `match`, within the window). */
function listView(view: UserView, query: RankQuery, options: ListOptions, now: number): MemorySearchResult {
  if (options.order !== 'salience' && view.entries instanceof EntryTable) return listNewest(view.entries, query, options, now);
  const accept = acceptFor(query, now);
  let list: MemoryEntry[] = [];
  for (const e of view.entries.values()) if (accept(e)) list.push(e);
  const compare = options.order === 'salience' ? bySalience : byNewest;
  const { match } = options;
  const windowed = options.window < list.length;
  if (windowed || match) {
    // The window (sorted), then the caller's test; the page is cut from what passes.
    list = windowed ? topK(list, options.window, compare) : list;
    if (match) list = list.filter((e) => match(e));
    if (windowed) return { entries: list.slice(query.offset, query.offset + query.limit).map((e) => copyEntry(e)), total: list.length };
  }
  const page = topK(list, query.offset + query.limit, compare).slice(query.offset);
  return { entries: page.map((e) => copyEntry(e)), total: list.length };
}

/**
 * The newest entries off the table's list order: the page costs its own length (plus the window, with `match`). The
 * total is the table's size when no filter can refuse an entry; otherwise the rest is counted (a pass, but no sort).
 */
function listNewest(entries: EntryTable, query: RankQuery, options: ListOptions, now: number): MemorySearchResult {
  const accept = acceptFor(query, now);
  const { match } = options;
  const countsAll = !match && query.layer === undefined && query.category === undefined && (query.includeExpired === true || !entries.hasExpiring);
  const page: MemorySearchResult['entries'] = [];
  let passed = 0;
  let seen = 0;
  for (const e of entries.newestFirst()) {
    if (seen >= options.window) break;
    if (!accept(e)) continue;
    seen++;
    if (match && !match(e)) continue;
    if (passed >= query.offset && page.length < query.limit) page.push(copyEntry(e));
    passed++;
    if (countsAll && page.length >= query.limit) break;
  }
  return { entries: page, total: countsAll ? Math.min(entries.size, options.window) : passed };
}

/**
 * How the vector hits of `text` are found: by pgvector or an ANN index here (ids), by the exact scan (here or in a
 * worker), or not at all (vectors off, embedder failing).
 */
async function vectorPlan(view: UserView, text: string, query: RankQuery, accept: (id: string) => boolean, deps: SearchDeps): Promise<VectorPlan> {
  const { embedder } = deps;
  const vectors = view.vectors;
  const inProcess = vectors !== null && vectors.size > 0 && embedder.id === vectors.embedder;
  if (!embedder.isConfigured() || (!deps.vectorSearch && !inProcess)) return { kind: 'none' };
  try {
    const [q] = await embedder.embed([text]);
    if (!q || q.length !== embedder.dims) return { kind: 'none' };
    const k = vectorHitsWanted(query);
    const elsewhere = deps.vectorSearch ? await deps.vectorSearch(q, k, accept, deps.minSimilarity) : null;
    if (elsewhere) return { kind: 'ids', ids: elsewhere };
    if (!inProcess) return { kind: 'none' };
    // The ANN index lives on this thread only; the exact scan runs wherever the text is ranked.
    if (vectors.usesAnn || !view.text.pooled || vectors.searchPool !== view.text.pooled.pool) {
      return { kind: 'ids', ids: scanHere(vectors, { query: q, k, minSim: deps.minSimilarity }, accept) };
    }
    return { kind: 'scan', vec: vectors.handle, query: q, k, minSim: deps.minSimilarity };
  } catch (error) {
    deps.log.warn({ err: error, embedder: embedder.id }, 'memory: query embedding failed; full-text only');
    return { kind: 'none' };
  }
}

function scanHere(vectors: VectorIndex, plan: { query: Float32Array; k: number; minSim: number }, accept: (id: string) => boolean): string[] {
  return vectors
    .search(plan.query, plan.k, accept, plan.minSim)
    .sort((x, y) => y.sim - x.sim || byId(x.id, y.id))
    .map((h) => h.id);
}
