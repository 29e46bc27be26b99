/**
 * The optional HNSW index of one vector index: started above a size threshold, built in the background, then kept up
 * to date. Rows not in it yet are listed as pending so searches can scan them exactly.
 *
 * Inserting into HNSW is synchronous native work (~0.1–0.5 ms a row at these parameters). It was fed 512 rows per
 * call — 50–250 ms during which the event loop served nobody, every few milliseconds for the whole build (issue #16).
 * Now rows go in small calls until a time slice is used up, then the loop yields: searches and writes wait at most
 * about one slice for the build.
 */
import type { Logger } from 'pino';
import { AnnIndex, loadAnn, type AnnOptions } from './ann.ts';

/** Rows per native call (small enough that one call stays well inside a slice). */
const ANN_CHUNK = 16;
/** Time the feeder may hold the event loop before yielding. */
const SLICE_MS = 8;
/** Above this many rows waiting for the ANN index, search falls back to a full exact scan. */
export const ANN_MAX_PENDING = 4096;

/** What the feeder reads from its vector index. */
export interface AnnSource {
  dims: number;
  /** Every key with a vector now. */
  keys(): Iterable<number>;
  /** The vector of `key`, or undefined when it is gone. */
  vectorOf(key: number): Float32Array | undefined;
}

export class AnnFeeder {
  ann: AnnIndex | null = null;
  ready = false;
  /** Keys whose rows are not in the ANN index yet (searched exactly meanwhile). */
  readonly pending = new Set<number>();
  private build: Promise<void> | null = null;
  private flushScheduled = false;
  private closed = false;

  constructor(
    private readonly source: AnnSource,
    private readonly options: { ann?: AnnOptions; log: Logger; embedder: string },
  ) {}

  get started(): boolean {
    return this.build !== null;
  }

  start(): void {
    this.build ??= this.buildAll();
  }

  /** A key's vector was replaced or added. */
  changed(key: number, replaced: boolean): void {
    if (!this.ann) return;
    if (replaced) this.ann.remove(key);
    this.queue(key);
  }

  removed(key: number): void {
    this.pending.delete(key);
    this.ann?.remove(key);
  }

  close(): void {
    this.closed = true;
  }

  /** Resolves when a started build has finished; true when searches use it. */
  async settled(): Promise<boolean> {
    await this.build;
    return this.ready;
  }

  private async buildAll(): Promise<void> {
    const mod = await loadAnn(this.options.log);
    if (!mod || this.closed) return;
    const started = performance.now();
    try {
      this.ann = new AnnIndex(mod, this.source.dims, this.options.ann);
    } catch (error) {
      this.options.log.warn({ err: error }, 'memory: could not create an ANN index; exact search only');
      return;
    }
    for (const key of this.source.keys()) this.pending.add(key);
    try {
      while (this.pending.size > 0 && !this.closed) {
        this.flushSlice();
        await new Promise((r) => setImmediate(r));
      }
      if (this.closed) return;
      this.ready = true;
      this.options.log.info({ embedder: this.options.embedder, ms: Math.round(performance.now() - started) }, 'memory: ANN index ready');
    } catch (error) {
      this.fail(error, 'memory: ANN build failed; exact search only');
    }
  }

  private queue(key: number): void {
    this.pending.add(key);
    if (!this.ready || this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.closed || !this.ann) return;
      try {
        this.flushSlice();
        if (this.pending.size > 0) this.queue(this.pending.values().next().value!);
      } catch (error) {
        this.fail(error, 'memory: ANN update failed; exact search only');
      }
    });
  }

  /** Add queued rows, a chunk at a time, until the pending set is empty or the slice is used up. */
  private flushSlice(): void {
    const started = performance.now();
    while (this.ann && this.pending.size > 0 && performance.now() - started < SLICE_MS) this.flushChunk();
  }

  /** Add up to one chunk of queued rows to the ANN index. */
  private flushChunk(): void {
    if (!this.ann || this.pending.size === 0) return;
    const keys: number[] = [];
    const vectors: Float32Array[] = [];
    const taken: number[] = [];
    for (const key of this.pending) {
      taken.push(key);
      const v = this.source.vectorOf(key);
      if (v) {
        keys.push(key);
        vectors.push(v);
      }
      if (taken.length >= ANN_CHUNK) break;
    }
    const d = this.source.dims;
    const batch = new Float32Array(keys.length * d);
    vectors.forEach((v, i) => batch.set(v, i * d));
    for (const key of taken) this.pending.delete(key);
    if (keys.length > 0) this.ann.add(keys, batch);
  }

  private fail(error: unknown, message: string): void {
    this.ann = null;
    this.ready = false;
    this.pending.clear();
    this.options.log.warn({ err: error }, message);
  }
}
