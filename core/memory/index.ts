/**
 * The shared memory store: per-user memories with hybrid search (minisearch full text + vector similarity, fused by
 * reciprocal rank), persisted as a per-user append-only log with group-committed fsync (`persistence.ts`).
 *
 * Everything is scoped by user id: each user has their own log files, full-text index and vector index, so a query
 * can never see another user's entries.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import { badRequest, conflict } from '../errors.ts';
import type { EmbedderDefinition, MemoryEntry, MemoryInput, MemoryLayer, MemoryQuery, MemorySearchResult } from '../plugin-api/types.ts';
import type { MemoryDriverOptions } from './options.ts';
import { EntryTable } from './entry-table.ts';
import { buildEntry, checkInput, copyEntry as copy, embedOne, minSimilarityFor, unitLength } from './entry.ts';
import { LocalEmbedder } from './local-embedder.ts';
import { encodeVectorRecord, listPartitions, UserPartition, type LogRecord, type StoredVector } from './persistence.ts';
import { searchView } from './search.ts';
import { settleLatest } from './settle.ts';
import { reembedUser, type ReembedRun } from './reembed-files.ts';
import type { MemoryService, ReembedProgress } from './service.ts';
import { TextIndex } from './text-index.ts';
import { dropPersistedText, persistText, takePersistedText } from './text-persist.ts';
import { VectorIndex } from './vector-index.ts';
import { defaultSearchPool, type SearchPool } from './search-pool/pool.ts';

export { LocalEmbedder } from './local-embedder.ts';
export { formatMemoriesForPrompt } from './prompt.ts';
export { MEMORY_LAYERS } from './entry.ts';
export type { MemoryService, ReembedProgress } from './service.ts';
export type { MemoryDriverOptions } from './options.ts';

/** Options of the memory store (the files driver). */
export interface MemoryStoreOptions extends MemoryDriverOptions {
  /** `DATA_DIR`; files live in `DATA_DIR/memory/`. */
  dataDir: string;
  /** Search workers (default: the process's pool, `AION_MEMORY_SEARCH_WORKERS`); `null`: search on this thread. */
  searchPool?: SearchPool | null;
}

/** One user's state in the files driver. */
export interface UserState {
  partition: UserPartition;
  entries: Map<string, MemoryEntry>;
  text: TextIndex;
  /** Vectors made by the current embedder. */
  vectors: VectorIndex | null;
  /** Vectors made by other embedders (kept so compaction never loses them, and reused when switching back). */
  stash: Map<string, StoredVector>;
  /** Ids whose vector by the current embedder is missing. */
  pending: Set<string>;
  /** Ids reserved by a `create` whose write has not finished (so a second create of the id is refused at once). */
  creating: Set<string>;
  compacting: boolean;
}

/** The memory store. Call `load()` once before use and `close()` at shutdown. */
export class MemoryStore implements MemoryService {
  private readonly dir: string;
  private readonly log: Logger;
  private embedder: EmbedderDefinition;
  private readonly users = new Map<string, UserState>();
  private warmup: Promise<void> = Promise.resolve();
  private generation = 0;
  private progress: ReembedProgress;
  private reembedJob: Promise<void> = Promise.resolve();
  private closed = false;
  /** How the full-text indexes came up at load: loaded from their persisted file, or built. */
  private readonly indexStarts = { restored: 0, built: 0 };
  private readonly pool: SearchPool | null;

  constructor(private readonly opts: MemoryStoreOptions) {
    this.dir = path.join(opts.dataDir, 'memory');
    this.log = opts.log;
    this.embedder = opts.embedder ?? new LocalEmbedder();
    this.progress = { embedder: this.embedder.id, done: 0, total: 0, running: false };
    this.pool = opts.searchPool === undefined ? defaultSearchPool(this.log) : opts.searchPool;
  }

  /** Read every user's partition. Full-text indexes are then built in the background (searches wait for theirs). */
  async load(): Promise<void> {
    const started = performance.now();
    const userIds = await listPartitions(this.dir);
    let total = 0;
    for (const userId of userIds) {
      const partition = new UserPartition(this.dir, userId, this.log);
      const data = await partition.read();
      const state = this.newState(userId, partition);
      state.vectors?.reserve(data.vectors.size);
      for (const entry of data.entries.values()) {
        state.entries.set(entry.id, entry);
        const v = data.vectors.get(entry.id);
        if (v && v.embedder === entry.embedder && state.vectors && v.embedder === state.vectors.embedder && v.vector.length === state.vectors.dims) {
          state.vectors.set(entry.id, v.vector);
        } else {
          // A copy: the read vectors are views into one slab of the whole file, which the stash must not keep alive.
          if (v && v.embedder === entry.embedder) state.stash.set(entry.id, { embedder: v.embedder, vector: v.vector.slice() });
          state.pending.add(entry.id);
        }
      }
      this.users.set(userId, state);
      total += state.entries.size;
    }
    // All users' indexes come up concurrently (persisted ones loaded, the others built chunk by chunk), so small users
    // are searchable almost at once.
    // The persisted index is checked against the log and the entries are snapshot for it in one step of the write
    // queue: a write landing between the two would be in neither the index nor the replay of later writes.
    this.warmup = Promise.all(
      [...this.users.values()].map(async (state) => {
        let how: Promise<'restored' | 'built'> = Promise.resolve('built');
        await state.partition.exclusive(async () => {
          const persisted = await takePersistedText(state.partition);
          how = state.text.restoreOrBuild(persisted, [...state.entries.keys()], (id) => state.entries.get(id));
        });
        this.indexStarts[await how]++;
      }),
    ).then(() => {});
    this.log.info({ users: userIds.length, entries: total, ms: Math.round(performance.now() - started) }, 'memory: loaded');
    if ([...this.users.values()].some((s) => s.pending.size > 0)) this.startReembed();
  }

  /** Resolves when every full-text index built at load is ready (benchmarks, tests). */
  whenIndexed(): Promise<void> {
    return this.warmup;
  }

  /** Stop background work and wait for queued writes. */
  async close(): Promise<void> {
    this.closed = true;
    this.generation++;
    await this.reembedJob.catch(() => {});
    await Promise.all([...this.users.values()].map((s) => s.partition.drained()));
    await this.warmup.catch(() => {});
    // Persist the full-text indexes for the next start (a failure only costs that start a rebuild).
    await Promise.all(
      [...this.users.values()].map((s) =>
        persistText(s.partition, s.text).catch((error: unknown) => this.log.warn({ err: error, user: s.partition.userId }, 'memory: could not persist the full-text index')),
      ),
    );
    for (const s of this.users.values()) s.vectors?.close();
  }

  /** How many full-text indexes were loaded from disk vs built at the last load (tests, benchmarks). */
  indexStartStats(): { restored: number; built: number } {
    return { ...this.indexStarts };
  }

  /** The embedder in use. */
  currentEmbedder(): EmbedderDefinition {
    return this.embedder;
  }

  /**
   * Switch embedders: every entry is re-embedded in the background, in batches. Until an entry is done it is found
   * by full text only.
   */
  setEmbedder(given: EmbedderDefinition): void {
    const embedder = unitLength(given);
    if (embedder.id === this.embedder.id && embedder.dims === this.embedder.dims) {
      this.embedder = embedder;
      return;
    }
    this.embedder = embedder;
    this.generation++;
    for (const state of this.users.values()) {
      const old = state.vectors;
      if (old) {
        for (const id of state.entries.keys()) {
          const v = old.get(id);
          if (v) state.stash.set(id, { embedder: old.embedder, vector: v });
        }
        old.close();
      }
      state.vectors = this.newVectorIndex();
      for (const id of state.entries.keys()) state.pending.add(id);
    }
    this.startReembed();
  }

  /** Progress of the background re-embedding. */
  reembedProgress(): ReembedProgress {
    return { ...this.progress };
  }

  /** Resolves when the current background re-embedding is finished (tests, benchmarks). */
  whenReembedded(): Promise<void> {
    return settleLatest(() => this.reembedJob);
  }

  /** Resolves when the user's ANN index (if one is being built) is ready; true when searches use it. */
  async annReady(userId: string): Promise<boolean> {
    return (await this.users.get(userId)?.vectors?.annSettled()) ?? false;
  }

  /** @internal The vector index of a user (benchmarks: ANN recall against exact search). */
  vectorIndexOf(userId: string): VectorIndex | null {
    return this.users.get(userId)?.vectors ?? null;
  }

  // ───────────────────────────── MemoryApi ─────────────────────────────

  async add(userId: string, input: MemoryInput): Promise<MemoryEntry> {
    return this.write(userId, input, false);
  }

  /**
   * Store a new memory; an id that exists (or is being created right now) → 409 `ALREADY_EXISTS`. The check and the
   * reservation of the id happen in one synchronous step, so of concurrent creates with one id exactly one succeeds.
   */
  async create(userId: string, input: MemoryInput): Promise<MemoryEntry> {
    return this.write(userId, input, true);
  }

  private async write(userId: string, input: MemoryInput, onlyIfAbsent: boolean): Promise<MemoryEntry> {
    this.assertOpen();
    const checked = checkInput(userId, input, randomUUID);
    const state = this.state(userId, true)!;
    const { id } = checked;
    if (onlyIfAbsent) {
      if (state.entries.has(id) || state.creating.has(id)) throw conflict(`A memory with id "${id}" already exists`, 'ALREADY_EXISTS');
      state.creating.add(id);
    }
    try {
      return await this.embedAndStore(state, userId, checked.id, checked.content, checked.layer, input);
    } finally {
      if (onlyIfAbsent) state.creating.delete(id);
    }
  }

  private async embedAndStore(state: UserState, userId: string, id: string, content: string, layer: MemoryLayer, input: MemoryInput): Promise<MemoryEntry> {
    const embedder = this.embedder;
    const vector = await embedOne(embedder, content, (error) =>
      this.log.warn({ err: error, embedder: embedder.id }, 'memory: embedding failed; stored for full-text search only'),
    );
    const now = Date.now();
    const existing = state.entries.get(id);
    const entry = buildEntry(userId, { id, content, layer }, input, vector ? embedder : null, now, existing?.createdAt ?? now);
    const vectorRecords = vector ? [encodeVectorRecord(id, embedder.id, vector)] : [];
    await state.partition.append([{ t: 'put', e: entry }], vectorRecords, () => {
      state.entries.set(id, entry);
      state.text.set(entry);
      state.stash.delete(id);
      if (vector && state.vectors && state.vectors.embedder === embedder.id) {
        state.vectors.set(id, vector);
        state.pending.delete(id);
      } else {
        state.vectors?.delete(id);
        if (vector) state.stash.set(id, { embedder: embedder.id, vector });
        state.pending.add(id);
        if (this.embedder.isConfigured() && !this.progress.running) this.startReembed();
      }
    });
    this.maybeCompact(state);
    return copy(entry);
  }

  async get(userId: string, id: string): Promise<MemoryEntry | undefined> {
    const e = this.state(userId)?.entries.get(id);
    return e ? copy(e) : undefined;
  }

  async search(userId: string, query: MemoryQuery = {}): Promise<MemorySearchResult> {
    const state = this.state(userId);
    if (!state) return { entries: [], total: 0 };
    return searchView(state, query, { embedder: this.embedder, minSimilarity: this.minSimilarity(), log: this.log });
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const state = this.state(userId);
    if (!state || !state.entries.has(id)) return false;
    await state.partition.append([{ t: 'del', id }], [], () => this.forget(state, id));
    this.maybeCompact(state);
    return true;
  }

  async clear(userId: string): Promise<number> {
    const state = this.state(userId);
    if (!state) return 0;
    let count = 0;
    await state.partition.exclusive(async () => {
      count = state.entries.size;
      await state.partition.remove();
      await dropPersistedText(state.partition);
      state.entries.clear();
      state.text.dispose();
      state.text = new TextIndex({ pool: this.pool });
      state.vectors?.close();
      state.vectors = this.newVectorIndex();
      state.stash.clear();
      state.pending.clear();
    });
    return count;
  }

  async prune(userId: string): Promise<number> {
    const state = this.state(userId);
    if (!state) return 0;
    const now = Date.now();
    const expired = [...state.entries.values()].filter((e) => e.expiresAt !== null && e.expiresAt <= now).map((e) => e.id);
    if (expired.length === 0) return 0;
    const records: LogRecord[] = expired.map((id) => ({ t: 'del', id }));
    await state.partition.append(records, [], () => {
      for (const id of expired) this.forget(state, id);
    });
    this.maybeCompact(state);
    return expired.length;
  }

  count(userId?: string): number {
    if (userId !== undefined) return this.users.get(userId)?.entries.size ?? 0;
    let n = 0;
    for (const s of this.users.values()) n += s.entries.size;
    return n;
  }

  // ───────────────────────────── internals ─────────────────────────────

  private minSimilarity(): number {
    return minSimilarityFor(this.embedder, this.opts.minSimilarity);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('memory store is closed');
  }

  private state(userId: string, create = false): UserState | undefined {
    if (typeof userId !== 'string' || userId === '') throw badRequest('userId is required');
    let state = this.users.get(userId);
    if (!state && create) {
      state = this.newState(userId, new UserPartition(this.dir, userId, this.log));
      this.users.set(userId, state);
    }
    return state;
  }

  private newState(userId: string, partition: UserPartition): UserState {
    void userId;
    return {
      partition,
      entries: new EntryTable(),
      text: new TextIndex({ pool: this.pool }),
      vectors: this.newVectorIndex(),
      stash: new Map(),
      pending: new Set(),
      creating: new Set(),
      compacting: false,
    };
  }

  private newVectorIndex(): VectorIndex | null {
    if (!this.embedder.isConfigured()) return null;
    return new VectorIndex(this.embedder.id, this.embedder.dims, {
      annThreshold: this.opts.annThreshold,
      ann: this.opts.ann,
      log: this.log,
      pool: this.pool,
    });
  }

  private forget(state: UserState, id: string): void {
    state.entries.delete(id);
    state.text.delete(id);
    state.vectors?.delete(id);
    state.stash.delete(id);
    state.pending.delete(id);
  }

  /** Rewrite a user's files when most log records are dead. */
  private maybeCompact(state: UserState): void {
    const { partition } = state;
    if (state.compacting || partition.records < 1000 || partition.records < 2 * state.entries.size) return;
    state.compacting = true;
    partition
      .exclusive(() =>
        partition.rewrite(state.entries.values(), (id) => {
          const e = state.entries.get(id);
          const v = state.vectors?.get(id);
          if (v && e?.embedder === state.vectors!.embedder) return { embedder: state.vectors!.embedder, vector: v };
          const s = state.stash.get(id);
          return s && s.embedder === e?.embedder ? s : undefined;
        }),
      )
      .then(
        () => this.log.debug({ user: partition.userId, entries: state.entries.size }, 'memory: compacted'),
        (error: unknown) => this.log.error({ err: error, user: partition.userId }, 'memory: compaction failed'),
      )
      .finally(() => (state.compacting = false));
  }

  private startReembed(): void {
    const generation = this.generation;
    const embedder = this.embedder;
    if (!embedder.isConfigured()) {
      this.log.warn({ embedder: embedder.id }, 'memory: embedder not configured; search is full-text only');
      return;
    }
    let total = 0;
    for (const s of this.users.values()) total += s.pending.size;
    this.progress = { embedder: embedder.id, done: 0, total, running: true };
    const previous = this.reembedJob;
    this.reembedJob = (async () => {
      await previous.catch(() => {});
      await this.reembed(generation, embedder);
    })().catch((error: unknown) => {
      this.log.error({ err: error, embedder: embedder.id }, 'memory: re-embedding failed');
      if (this.generation === generation) this.progress.running = false;
    });
  }

  /** Embed every pending entry with `embedder`, user by user; stops when the embedder changes again. */
  private async reembed(generation: number, embedder: EmbedderDefinition): Promise<void> {
    const started = performance.now();
    const run: ReembedRun = {
      embedder,
      batchSize: this.opts.reembedBatch ?? 64,
      log: this.log,
      isCurrent: () => this.generation === generation,
      done: (count) => (this.progress.done += count),
      stored: (state) => this.maybeCompact(state),
    };
    for (const state of this.users.values()) if (!(await reembedUser(state, run))) return;
    if (this.generation !== generation) return;
    this.progress.running = false;
    this.log.info(
      { embedder: embedder.id, entries: this.progress.done, ms: Math.round(performance.now() - started) },
      'memory: embedding done',
    );
  }
}
