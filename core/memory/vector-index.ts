/**
 * Vector index of one user: all vectors in one contiguous Float32Array (row per entry, swap-remove on delete) for an
 * exact dot-product scan, plus — above a size threshold, when the native module loads — an HNSW index built in the
 * background in small batches. Until that index is complete, and whenever filters leave it too few hits, search is
 * exact. Vectors are L2-normalised, so the dot product is the cosine similarity.
 */
import type { Logger } from 'pino';
import { AnnIndex, loadAnn, type AnnOptions } from './ann.ts';
import { Int8Rows, NATIVE_SCAN_FROM, nativeCandidates, wantNativeScan } from './exact-scan.ts';

/** A vector hit: entry id and cosine similarity. */
export interface VectorHit {
  id: string;
  sim: number;
}

/** Options of a vector index. */
export interface VectorIndexOptions {
  /** Build an ANN index once a user has this many vectors (default 20,000). `Infinity` = never. */
  annThreshold?: number;
  ann?: AnnOptions;
  log: Logger;
}

const ANN_BATCH = 512;
/** Above this many rows waiting for the ANN index, search falls back to a full exact scan. */
const ANN_MAX_PENDING = 4096;

/** The vectors of one user, for one embedder. */
export class VectorIndex {
  private data: Float32Array;
  /** The same rows in int8, for the native candidate scan. */
  private readonly rows8: Int8Rows;
  private ids: string[] = [];
  private keys: number[] = [];
  private slotOf = new Map<string, number>();
  private idOfKey = new Map<number, string>();
  private nextKey = 1;
  private ann: AnnIndex | null = null;
  private annReady = false;
  private annStarted = false;
  private annBuild: Promise<void> | null = null;
  /** Keys whose rows are not in the ANN index yet (added in batches; searched exactly meanwhile). */
  private annPending = new Set<number>();
  private annFlushScheduled = false;
  private closed = false;

  constructor(
    readonly embedder: string,
    readonly dims: number,
    private readonly options: VectorIndexOptions,
  ) {
    this.data = new Float32Array(dims * 64);
    this.rows8 = new Int8Rows(dims, 64);
  }

  get size(): number {
    return this.ids.length;
  }

  /** True when searches may use the ANN index. */
  get usesAnn(): boolean {
    return this.annReady;
  }

  has(id: string): boolean {
    return this.slotOf.has(id);
  }

  /** A copy of the vector of `id`. */
  get(id: string): Float32Array | undefined {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return undefined;
    return this.data.slice(slot * this.dims, (slot + 1) * this.dims);
  }

  /** Add or replace the vector of `id`. */
  set(id: string, vector: Float32Array): void {
    if (vector.length !== this.dims) throw new Error(`vector has ${vector.length} dims, index has ${this.dims}`);
    let slot = this.slotOf.get(id);
    if (slot === undefined) {
      slot = this.ids.length;
      if ((slot + 1) * this.dims > this.data.length) {
        const grown = new Float32Array(this.data.length * 2);
        grown.set(this.data);
        this.data = grown;
      }
      this.rows8.reserve(slot + 1);
      const key = this.nextKey++;
      this.ids.push(id);
      this.keys.push(key);
      this.slotOf.set(id, slot);
      this.idOfKey.set(key, id);
    } else if (this.ann) {
      this.ann.remove(this.keys[slot]!);
    }
    this.data.set(vector, slot * this.dims);
    this.rows8.set(slot, vector);
    if (this.ann) this.queueAnn(this.keys[slot]!);
    else this.maybeStartAnn();
  }

  /** Remove the vector of `id` (swap with the last row). */
  delete(id: string): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    const key = this.keys[slot]!;
    const last = this.ids.length - 1;
    if (slot !== last) {
      const d = this.dims;
      this.data.copyWithin(slot * d, last * d, (last + 1) * d);
      this.rows8.move(last, slot);
      const movedId = this.ids[last]!;
      this.ids[slot] = movedId;
      this.keys[slot] = this.keys[last]!;
      this.slotOf.set(movedId, slot);
    }
    this.ids.pop();
    this.keys.pop();
    this.slotOf.delete(id);
    this.idOfKey.delete(key);
    this.annPending.delete(key);
    this.ann?.remove(key);
    return true;
  }

  /**
   * The `k` most similar vectors passing `accept`, with similarity ≥ `minSim`, best first. Uses the ANN index when
   * it is complete (over-fetching to leave room for filters; falling back to an exact scan when filters leave too few).
   */
  search(query: Float32Array, k: number, accept: (id: string) => boolean = () => true, minSim = -Infinity): VectorHit[] {
    if (this.ids.length === 0 || k <= 0) return [];
    if (this.annReady && this.ann && this.ids.length > k && this.annPending.size <= ANN_MAX_PENDING) {
      const fetch = Math.min(this.ids.length, Math.max(k * 8, 128));
      const hits: VectorHit[] = [];
      let belowFloor = false;
      const consider = (key: number) => {
        const id = this.idOfKey.get(key);
        if (id === undefined || !accept(id)) return;
        const sim = this.dot(query, this.slotOf.get(id)!);
        if (sim < minSim) {
          belowFloor = true;
          return;
        }
        hits.push({ id, sim });
      };
      for (const key of this.ann.search(query, fetch)) if (!this.annPending.has(key)) consider(key);
      // Rows not yet in the ANN index are scanned exactly.
      for (const key of this.annPending) consider(key);
      // Enough hits, or the ANN already reached the similarity floor: the exact scan would not add anything useful.
      if (hits.length >= k || belowFloor) return hits.sort((a, b) => b.sim - a.sim).slice(0, k);
    }
    return this.exact(query, k, accept, minSim);
  }

  /**
   * Exact top-k: for large indexes, candidates from the native int8 scan ranked by their float similarity (widening
   * the candidate set while filters or quantisation leave too few); the JavaScript loop otherwise.
   */
  exact(query: Float32Array, k: number, accept: (id: string) => boolean = () => true, minSim = -Infinity): VectorHit[] {
    const n = this.ids.length;
    if (n >= NATIVE_SCAN_FROM) wantNativeScan(this.options.log);
    const query8 = this.rows8.query(query);
    // Candidates ≥ 4k (at least 256): the true top-k sits inside them however quantisation reorders near-ties.
    let fetch = Math.max(k * 4, 256);
    for (;;) {
      const found = nativeCandidates(this.rows8, n, query8, fetch);
      if (!found) return this.exactLoop(query, k, accept, minSim);
      const hits: VectorHit[] = [];
      for (let i = 0; i < found.slots.length; i++) {
        const slot = Number(found.slots[i]);
        const id = this.ids[slot]!;
        if (!accept(id)) continue;
        const sim = this.dot(query, slot);
        if (sim >= minSim) hits.push({ id, sim });
      }
      const last = found.approxSims[found.approxSims.length - 1] ?? -Infinity;
      // Done: enough hits with room for quantisation's reordering (4k, as for unfiltered searches), every row seen,
      // or the candidates already reach well below the floor.
      if (hits.length >= k * 4 || fetch >= n || last < minSim - 0.1) return hits.sort((x, y) => y.sim - x.sim).slice(0, k);
      fetch = Math.min(n, fetch * 4);
    }
  }

  /** Exact top-k by a JavaScript scan (small indexes, or no native module). */
  exactLoop(query: Float32Array, k: number, accept: (id: string) => boolean = () => true, minSim = -Infinity): VectorHit[] {
    const n = this.ids.length;
    const d = this.dims;
    const data = this.data;
    // A small bounded min-heap would be faster for large k; k is small, so a sorted insert into a short array is fine.
    const topSim: number[] = [];
    const topSlot: number[] = [];
    for (let slot = 0; slot < n; slot++) {
      let s = 0;
      const o = slot * d;
      for (let i = 0; i < d; i++) s += data[o + i]! * query[i]!;
      if (s < minSim || (topSim.length === k && s <= topSim[k - 1]!)) continue;
      if (!accept(this.ids[slot]!)) continue;
      let pos = topSim.length;
      while (pos > 0 && topSim[pos - 1]! < s) pos--;
      topSim.splice(pos, 0, s);
      topSlot.splice(pos, 0, slot);
      if (topSim.length > k) {
        topSim.pop();
        topSlot.pop();
      }
    }
    return topSlot.map((slot, i) => ({ id: this.ids[slot]!, sim: topSim[i]! }));
  }

  /** Stop background work. */
  close(): void {
    this.closed = true;
  }

  private dot(query: Float32Array, slot: number): number {
    let s = 0;
    const o = slot * this.dims;
    for (let i = 0; i < this.dims; i++) s += this.data[o + i]! * query[i]!;
    return s;
  }

  private maybeStartAnn(): void {
    const threshold = this.options.annThreshold ?? 20_000;
    if (this.annStarted || this.ids.length < threshold) return;
    this.annStarted = true;
    this.annBuild = this.buildAnn();
  }

  /** Build the HNSW index in batches, yielding between them; vectors added meanwhile join the queue. */
  private async buildAnn(): Promise<void> {
    const mod = await loadAnn(this.options.log);
    if (!mod || this.closed) return;
    const started = performance.now();
    try {
      this.ann = new AnnIndex(mod, this.dims, this.options.ann);
    } catch (error) {
      this.options.log.warn({ err: error }, 'memory: could not create an ANN index; exact search only');
      return;
    }
    for (const key of this.keys) this.annPending.add(key);
    try {
      while (this.annPending.size > ANN_BATCH && !this.closed) {
        this.flushAnn();
        await new Promise((r) => setImmediate(r));
      }
      if (this.closed) return;
      this.flushAnn();
      this.annReady = true;
      this.options.log.info(
        { embedder: this.embedder, vectors: this.ids.length, ms: Math.round(performance.now() - started) },
        'memory: ANN index ready',
      );
    } catch (error) {
      this.ann = null;
      this.annPending.clear();
      this.options.log.warn({ err: error }, 'memory: ANN build failed; exact search only');
    }
  }

  private queueAnn(key: number): void {
    this.annPending.add(key);
    if (!this.annReady || this.annFlushScheduled) return;
    this.annFlushScheduled = true;
    setImmediate(() => {
      this.annFlushScheduled = false;
      if (this.closed || !this.ann) return;
      try {
        this.flushAnn();
        if (this.annPending.size > 0) this.queueAnn(this.annPending.values().next().value!);
      } catch (error) {
        this.ann = null;
        this.annReady = false;
        this.annPending.clear();
        this.options.log.warn({ err: error }, 'memory: ANN update failed; exact search only');
      }
    });
  }

  /** Add up to one batch of queued rows to the ANN index. */
  private flushAnn(): void {
    if (!this.ann || this.annPending.size === 0) return;
    const keys: number[] = [];
    for (const key of this.annPending) {
      keys.push(key);
      if (keys.length >= ANN_BATCH) break;
    }
    const batch = new Float32Array(keys.length * this.dims);
    keys.forEach((key, i) => {
      const slot = this.slotOf.get(this.idOfKey.get(key)!)!;
      batch.set(this.data.subarray(slot * this.dims, (slot + 1) * this.dims), i * this.dims);
    });
    for (const key of keys) this.annPending.delete(key);
    this.ann.add(keys, batch);
  }

  /** Resolves when a started ANN build has finished; true when searches use it (tests and benchmarks). */
  async annSettled(): Promise<boolean> {
    await this.annBuild;
    return this.annReady;
  }
}
