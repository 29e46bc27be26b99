/**
 * Messages between the main thread and the memory search workers. Every change of a full-text or vector index is
 * sent to every worker on its own port, in the order the main thread made it; a search is sent to one worker. A
 * port delivers in order, so a search sent after a write is answered by a worker that has applied the write.
 *
 * Indexes are named by handles (small integers) given by the pool, never by user id: a full-text index and a vector
 * index make one user's view only when a search names both.
 */
import type { MemoryEntry } from '../../plugin-api/types.ts';
import type { RankedHit, RankQuery } from '../search-rank.ts';
import type { RowBuffers } from '../vector-rows.ts';

/** An entry as a worker needs it for search: everything but what only the caller reads (metadata, source). */
export type SearchEntry = Omit<MemoryEntry, 'metadata'>;

/** Changes, sent to every worker. */
export type ChangeOp =
  | { op: 'text-put'; text: number; entry: SearchEntry }
  | { op: 'text-del'; text: number; id: string }
  | { op: 'text-build'; text: number; snapshot: Uint8Array | null; entries: SearchEntry[]; req: number }
  | { op: 'text-drop'; text: number }
  | { op: 'vec-open'; vec: number; buffers: RowBuffers; used: number; live: Array<[string, number]> }
  | { op: 'vec-put'; vec: number; id: string; slot: number }
  | { op: 'vec-del'; vec: number; id: string }
  | { op: 'vec-buffers'; vec: number; buffers: RowBuffers; ids?: string[] }
  | { op: 'vec-drop'; vec: number };

/** How a search gets its vector hits in the worker. */
export type VectorPlan =
  /** Scan the worker's replica of vector index `vec` for `query`. */
  | { kind: 'scan'; vec: number; query: Float32Array; k: number; minSim: number }
  /** Already known (pgvector, or an ANN index on the main thread). */
  | { kind: 'ids'; ids: string[] }
  | { kind: 'none' };

/** Requests answered by one worker. */
export type RequestOp =
  | { op: 'search'; req: number; text: number; query: RankQuery; search: string; vectors: VectorPlan; now: number }
  | { op: 'text-snapshot'; req: number; text: number };

export type ToWorker = ChangeOp | RequestOp;

export type FromWorker =
  | { req: number; ok: true; hits: RankedHit[]; total: number }
  | { req: number; ok: true; snapshot: Uint8Array | null }
  | { req: number; ok: true; built: 'restored' | 'built' }
  | { req: number; ok: false; error: string };

/** The search-relevant copy of an entry sent to workers. */
export function searchEntry(e: MemoryEntry): SearchEntry {
  const { metadata: _metadata, ...rest } = e;
  void _metadata;
  return rest;
}
