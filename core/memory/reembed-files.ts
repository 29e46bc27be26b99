/**
 * Background re-embedding of one user's pending entries for the files driver, in named steps: take a batch, find or
 * make its vectors, store them durably and apply them to the in-memory state. The loop over users, progress and
 * generation checks stay in the store (`index.ts`).
 */
import type { Logger } from 'pino';
import type { EmbedderDefinition, MemoryEntry } from '../plugin-api/types.ts';
import type { UserState } from './index.ts';
import { encodeVectorRecord, type LogRecord } from './persistence.ts';

/** What a re-embedding run needs from its store. */
export interface ReembedRun {
  embedder: EmbedderDefinition;
  batchSize: number;
  log: Logger;
  /** False once the embedder changed again: the run stops at its next step. */
  isCurrent(): boolean;
  /** Entries done (progress). */
  done(count: number): void;
  /** After each stored batch (compaction check). */
  stored(state: UserState): void;
}

const MAX_FAILURES = 5;

/** Embed every pending entry of `state`; returns false when the run was superseded. */
export async function reembedUser(state: UserState, run: ReembedRun): Promise<boolean> {
  let failures = 0;
  while (state.pending.size > 0) {
    if (!run.isCurrent()) return false;
    const batch = nextBatch(state, run.batchSize);
    if (batch.length === 0) break;
    let vectors: Array<Float32Array | undefined>;
    try {
      vectors = await vectorsFor(state, batch, run.embedder);
    } catch (error) {
      failures++;
      run.log.warn({ err: error, embedder: run.embedder.id, failures }, 'memory: embedding batch failed; retrying');
      if (failures >= MAX_FAILURES) throw error;
      await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** failures)));
      continue;
    }
    if (!run.isCurrent()) return false;
    await storeBatch(state, batch, vectors, run);
    run.stored(state);
    await new Promise((r) => setImmediate(r));
  }
  return true;
}

/** Up to `size` pending entries (ids whose entry is gone leave the pending set). */
function nextBatch(state: UserState, size: number): MemoryEntry[] {
  const batch: MemoryEntry[] = [];
  for (const id of state.pending) {
    const e = state.entries.get(id);
    if (e) batch.push(e);
    else state.pending.delete(id);
    if (batch.length >= size) break;
  }
  return batch;
}

/** The batch's vectors: ones kept from this embedder (switching back) reused, the rest embedded now. */
async function vectorsFor(state: UserState, batch: MemoryEntry[], embedder: EmbedderDefinition): Promise<Array<Float32Array | undefined>> {
  const vectors: Array<Float32Array | undefined> = batch.map((e) => {
    const s = state.stash.get(e.id);
    return s && s.embedder === embedder.id && s.vector.length === embedder.dims ? s.vector : undefined;
  });
  const missing = batch.filter((_, i) => !vectors[i]);
  if (missing.length === 0) return vectors;
  const made = await embedder.embed(missing.map((e) => e.content));
  let j = 0;
  for (let i = 0; i < batch.length; i++) if (!vectors[i]) vectors[i] = made[j++];
  return vectors;
}

/** Write the batch's entries (now by this embedder) and vectors, then apply them to the state. */
async function storeBatch(state: UserState, batch: MemoryEntry[], vectors: Array<Float32Array | undefined>, run: ReembedRun): Promise<void> {
  const { embedder } = run;
  const records: LogRecord[] = [];
  const vecRecords: Buffer[] = [];
  const updated: Array<[MemoryEntry, MemoryEntry, Float32Array]> = [];
  batch.forEach((old, i) => {
    const v = vectors[i];
    if (!v || v.length !== embedder.dims) {
      state.pending.delete(old.id);
      return;
    }
    const next: MemoryEntry = { ...old, embedder: embedder.id, dims: embedder.dims };
    records.push({ t: 'put', e: next });
    vecRecords.push(encodeVectorRecord(old.id, embedder.id, v));
    updated.push([old, next, v]);
  });
  if (records.length === 0) return;
  await state.partition.append(records, vecRecords, () => {
    for (const [old, next, v] of updated) {
      // Skip entries replaced or deleted while we were embedding (their own write handled them).
      if (state.entries.get(old.id) !== old) continue;
      state.entries.set(old.id, next);
      if (run.isCurrent() && state.vectors?.embedder === embedder.id) {
        state.vectors.set(old.id, v);
        state.pending.delete(old.id);
        state.stash.delete(old.id);
      } else {
        state.stash.set(old.id, { embedder: embedder.id, vector: v });
      }
    }
  });
  if (run.isCurrent()) run.done(updated.length);
}
