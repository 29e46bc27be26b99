/**
 * Hybrid search over one user's in-process view (entries, full-text index, vector index): the same code for both
 * drivers, so the same data gives the same results on lowdb files and on PostgreSQL.
 */
import type { Logger } from 'pino';
import type { EmbedderDefinition, MemoryEntry, MemoryQuery, MemorySearchResult } from '../plugin-api/types.ts';
import { clampInt, copyEntry } from './entry.ts';
import { fuse, ranksNeeded, type RankedId } from './rank.ts';
import type { TextIndex } from './text-index.ts';
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
}

export async function searchView(view: UserView, query: MemoryQuery, deps: SearchDeps): Promise<MemorySearchResult> {
  const limit = clampInt(query.limit, DEFAULT_LIMIT, 0, MAX_LIMIT);
  const offset = clampInt(query.offset, 0, 0, Number.MAX_SAFE_INTEGER);
  const now = Date.now();
  const accept = (e: MemoryEntry | undefined): e is MemoryEntry =>
    e !== undefined &&
    (query.layer === undefined || e.layer === query.layer) &&
    (query.category === undefined || e.category === query.category) &&
    (query.includeExpired === true || e.expiresAt === null || e.expiresAt > now);
  const text = typeof query.search === 'string' ? query.search.trim() : '';

  if (text === '') {
    const list: MemoryEntry[] = [];
    for (const e of view.entries.values()) if (accept(e)) list.push(e);
    if (query.order === 'salience') list.sort((a, b) => b.salience - a.salience || b.createdAt - a.createdAt || byId(a.id, b.id));
    else list.sort((a, b) => b.createdAt - a.createdAt || byId(a.id, b.id));
    return { entries: list.slice(offset, offset + limit).map((e) => copyEntry(e)), total: list.length };
  }

  await view.text.whenReady();
  const vectorIds = await vectorHits(view, text, offset + limit, (id) => accept(view.entries.get(id)), deps);
  const inVectors = new Set(vectorIds);
  // Only the text ranks that can still reach the page are fused (plus deeper ones that the vectors found too), so a
  // common word matching 50k memories costs a count, not a 50k-entry sort. `total` stays exact.
  const textCap = ranksNeeded(offset + limit);
  const textRanked: RankedId[] = [];
  let textTotal = 0;
  let overlap = 0;
  // Ties broken by id: both drivers then rank equal scores alike, whatever order their indexes were built in.
  const textHits = view.text.search(text).sort((x, y) => y.score - x.score || byId(x.id, y.id));
  for (const hit of textHits) {
    if (!accept(view.entries.get(hit.id))) continue;
    const rank = textTotal++;
    const alsoVector = inVectors.has(hit.id);
    if (alsoVector) overlap++;
    if (rank < textCap || alsoVector) textRanked.push({ id: hit.id, rank });
  }
  const ranked = fuse([textRanked, vectorIds.map((id, rank) => ({ id, rank }))], (id) => view.entries.get(id), now);
  return {
    entries: ranked.slice(offset, offset + limit).map((r) => ({ ...copyEntry(r.entry), score: r.score })),
    total: textTotal + vectorIds.length - overlap,
  };
}

/** Vector hits for `text` (best first), or none when vectors are off or the embedder fails. */
async function vectorHits(view: UserView, text: string, need: number, accept: (id: string) => boolean, deps: SearchDeps): Promise<string[]> {
  const { embedder } = deps;
  const vectors = view.vectors;
  const inProcess = vectors !== null && vectors.size > 0 && embedder.id === vectors.embedder;
  if (!embedder.isConfigured() || (!deps.vectorSearch && !inProcess)) return [];
  try {
    const [q] = await embedder.embed([text]);
    if (!q || q.length !== embedder.dims) return [];
    const k = Math.max(100, need * 2);
    const elsewhere = deps.vectorSearch ? await deps.vectorSearch(q, k, accept, deps.minSimilarity) : null;
    if (elsewhere) return elsewhere;
    if (!inProcess) return [];
    return vectors.search(q, k, accept, deps.minSimilarity).sort((x, y) => y.sim - x.sim || byId(x.id, y.id)).map((h) => h.id);
  } catch (error) {
    deps.log.warn({ err: error, embedder: embedder.id }, 'memory: query embedding failed; full-text only');
    return [];
  }
}

function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
