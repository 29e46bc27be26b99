/**
 * Vector index of one user: rows in shared memory (`vector-rows.ts`, append-only slots) for an exact int8 scan with
 * float re-ranking (`vector-scan.ts`), plus — above a size threshold, when the native module loads — an HNSW index
 * built in the background (`ann-feeder.ts`). Until that index is complete, and whenever filters leave it too few
 * hits, search is exact. Vectors are L2-normalised, so the dot product is the cosine similarity.
 *
 * With a search pool, every change is also sent to the workers (in order with the full-text changes), which scan
 * the same shared rows; see `search-pool/`.
 */
import type { Logger } from 'pino';
import type { AnnOptions } from './ann.ts';
import { ANN_MAX_PENDING, AnnFeeder } from './ann-feeder.ts';
import { NATIVE_SCAN_FROM, wantNativeScan } from './exact-scan.ts';
import { defaultSearchPool, type SearchPool } from './search-pool/pool.ts';
import type { ChangeOp } from './search-pool/protocol.ts';
import { allocRows, RowTable } from './vector-rows.ts';
import { exactLoop, exactTopK, type AcceptId, type VectorHit } from './vector-scan.ts';

export type { VectorHit } from './vector-scan.ts';

/** Options of a vector index. */
export interface VectorIndexOptions {
  /** Build an ANN index once a user has this many vectors (default 20,000). `Infinity` = never. */
  annThreshold?: number;
  ann?: AnnOptions;
  log: Logger;
  /** Search workers to mirror into; default: the process's pool (`null`: none). */
  pool?: SearchPool | null;
}

/** Dead slots tolerated before the rows are compacted (and at least as many as live ones). */
const COMPACT_FROM = 1024;

/** The vectors of one user, for one embedder. */
export class VectorIndex {
  private readonly table: RowTable;
  /**
   * Stable small integer per id (ANN keys survive compaction, slots do not), made only once an ANN build starts
   * (`keyed`): without HNSW — the default — they were two map writes per vector for nothing (a restart's load).
   */
  private readonly keyOf = new Map<string, number>();
  private keyed = false;
  private readonly idOfKey = new Map<number, string>();
  private nextKey = 1;
  private readonly annFeeder: AnnFeeder;
  private readonly pool: SearchPool | null;
  /** The pool's name for this index (0 without a pool). */
  readonly handle: number = 0;

  constructor(
    readonly embedder: string,
    readonly dims: number,
    private readonly options: VectorIndexOptions,
  ) {
    this.table = new RowTable(allocRows(dims, 64));
    this.annFeeder = new AnnFeeder(
      { dims, keys: () => this.idOfKey.keys(), vectorOf: (key) => this.rowOfKey(key) },
      { ann: options.ann, log: options.log, embedder },
    );
    this.pool = options.pool === undefined ? defaultSearchPool(options.log) : options.pool;
    if (this.pool) {
      const snapshot = (): ChangeOp[] => [this.openOp()];
      this.handle = this.pool.register(this, snapshot, (vec) => ({ op: 'vec-drop', vec }));
      this.pool.broadcast(this.openOp());
    }
  }

  get size(): number {
    return this.table.live;
  }

  /** True when searches may use the ANN index (then they run on the main thread). */
  get usesAnn(): boolean {
    return this.annFeeder.ready;
  }

  /** The pool this index is mirrored into, if any. */
  get searchPool(): SearchPool | null {
    return this.pool;
  }

  has(id: string): boolean {
    return this.table.slotOf.has(id);
  }

  /** A copy of the vector of `id`. */
  get(id: string): Float32Array | undefined {
    const slot = this.table.slotOf.get(id);
    return slot === undefined ? undefined : this.rowAt(slot).slice();
  }

  /** Add or replace the vector of `id` (a new slot; the old one, if any, goes dead). */
  set(id: string, vector: Float32Array): void {
    if (vector.length !== this.dims) throw new Error(`vector has ${vector.length} dims, index has ${this.dims}`);
    this.makeRoom();
    const slot = this.table.writeNext(vector);
    const replaced = this.table.slotOf.has(id);
    this.table.assign(id, slot);
    this.pool?.broadcast({ op: 'vec-put', vec: this.handle, id, slot });
    if (this.keyed) {
      const key = this.keyFor(id);
      if (this.annFeeder.ann) this.annFeeder.changed(key, replaced);
    } else if (this.size >= (this.options.annThreshold ?? 20_000)) {
      this.keyed = true;
      for (const live of this.table.slotOf.keys()) this.keyFor(live);
      this.annFeeder.start();
    }
  }

  private keyFor(id: string): number {
    let key = this.keyOf.get(id);
    if (key === undefined) {
      key = this.nextKey++;
      this.keyOf.set(id, key);
      this.idOfKey.set(key, id);
    }
    return key;
  }

  /**
   * Make room for `rows` vectors at once (a load that knows how many it adds): growing by doubling from 64 rows
   * copied the rows 11 times on the way to 100k (a tenth of a restart's load).
   */
  reserve(rows: number): void {
    if (this.table.buffers.capacity >= rows) return;
    this.table.adopt(this.table.grown(rows));
    this.pool?.broadcast({ op: 'vec-buffers', vec: this.handle, buffers: this.table.buffers });
  }

  /** Remove the vector of `id`. */
  delete(id: string): boolean {
    if (!this.table.remove(id)) return false;
    const key = this.keyOf.get(id);
    if (key !== undefined) {
      this.keyOf.delete(id);
      this.idOfKey.delete(key);
      this.annFeeder.removed(key);
    }
    this.pool?.broadcast({ op: 'vec-del', vec: this.handle, id });
    this.maybeCompact();
    return true;
  }

  /**
   * The `k` most similar vectors passing `accept`, with similarity ≥ `minSim`, best first. Uses the ANN index when
   * it is complete (over-fetching to leave room for filters; falling back to an exact scan when filters leave too few).
   */
  search(query: Float32Array, k: number, accept: AcceptId = () => true, minSim = -Infinity): VectorHit[] {
    if (this.size === 0 || k <= 0) return [];
    const ann = this.annFeeder.ann;
    if (this.annFeeder.ready && ann && this.size > k && this.annFeeder.pending.size <= ANN_MAX_PENDING) {
      const fetch = Math.min(this.size, Math.max(k * 8, 128));
      const hits: VectorHit[] = [];
      let belowFloor = false;
      const consider = (key: number) => {
        const id = this.idOfKey.get(key);
        if (id === undefined || !accept(id)) return;
        const sim = this.table.dot(query, this.table.slotOf.get(id)!);
        if (sim < minSim) belowFloor = true;
        else hits.push({ id, sim });
      };
      for (const key of ann.search(query, fetch)) if (!this.annFeeder.pending.has(key)) consider(key);
      // Rows not yet in the ANN index are scanned exactly.
      for (const key of this.annFeeder.pending) consider(key);
      // Enough hits, or the ANN already reached the similarity floor: the exact scan would not add anything useful.
      if (hits.length >= k || belowFloor) return hits.sort((a, b) => b.sim - a.sim).slice(0, k);
    }
    return this.exact(query, k, accept, minSim);
  }

  /** Exact top-k (the scan the search workers run too). */
  exact(query: Float32Array, k: number, accept: AcceptId = () => true, minSim = -Infinity): VectorHit[] {
    if (this.table.used >= NATIVE_SCAN_FROM) void wantNativeScan(this.options.log);
    return exactTopK(this.table, query, k, accept, minSim);
  }

  /** Exact top-k by a JavaScript scan (tests: the reference for the native scan). */
  exactLoop(query: Float32Array, k: number, accept: AcceptId = () => true, minSim = -Infinity): VectorHit[] {
    return exactLoop(this.table, query, k, accept, minSim);
  }

  /** Stop background work and release the workers' view of the rows. */
  close(): void {
    this.annFeeder.close();
    this.pool?.release(this, { op: 'vec-drop', vec: this.handle });
  }

  /** Resolves when a started ANN build has finished; true when searches use it (tests and benchmarks). */
  annSettled(): Promise<boolean> {
    return this.annFeeder.settled();
  }

  private rowAt(slot: number): Float32Array {
    return this.table.buffers.f32.subarray(slot * this.dims, (slot + 1) * this.dims);
  }

  private rowOfKey(key: number): Float32Array | undefined {
    const id = this.idOfKey.get(key);
    const slot = id === undefined ? undefined : this.table.slotOf.get(id);
    return slot === undefined ? undefined : this.rowAt(slot);
  }

  /** Before an append: compact when most slots are dead, else grow when full. New buffers go to the workers. */
  private makeRoom(): void {
    if (this.table.used < this.table.buffers.capacity) return;
    const dead = this.table.used - this.table.live;
    if (dead >= COMPACT_FROM && dead >= this.table.live) this.compact();
    else {
      this.table.adopt(this.table.grown(this.table.used + 1));
      this.pool?.broadcast({ op: 'vec-buffers', vec: this.handle, buffers: this.table.buffers });
    }
  }

  private maybeCompact(): void {
    const dead = this.table.used - this.table.live;
    if (dead >= COMPACT_FROM && dead >= 2 * this.table.live) this.compact();
  }

  private compact(): void {
    const { buffers, ids } = this.table.compacted(Math.max(64, this.table.live * 2));
    this.table.adopt(buffers, ids);
    this.pool?.broadcast({ op: 'vec-buffers', vec: this.handle, buffers, ids });
  }

  private openOp(): ChangeOp {
    const live: Array<[string, number]> = [...this.table.slotOf];
    return { op: 'vec-open', vec: this.handle, buffers: this.table.buffers, used: this.table.used, live };
  }
}
