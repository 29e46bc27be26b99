/**
 * Optional approximate nearest-neighbour index (HNSW from the `usearch` native module). Loaded lazily; when the module
 * is missing or fails to load, `loadAnn` answers `null` once-logged and callers keep using exact search.
 */
import type { Logger } from 'pino';

type UsearchModule = typeof import('usearch');

let loading: Promise<UsearchModule | null> | undefined;

/** The usearch module, or `null` when it cannot be loaded here (logged once per process). */
export function loadAnn(log: Pick<Logger, 'warn'>): Promise<UsearchModule | null> {
  loading ??= import('usearch').then(
    (mod) => {
      // Touch the native binding now, so a broken binary fails here and not in the middle of a search.
      const probe = new mod.Index({ dimensions: 4, metric: mod.MetricKind.IP, quantization: mod.ScalarKind.F32, connectivity: 0, expansion_add: 0, expansion_search: 0, multi: false });
      probe.add(1n, new Float32Array([1, 0, 0, 0]));
      return mod;
    },
    (error: unknown) => {
      log.warn({ err: error }, 'memory: usearch (ANN) unavailable; using exact vector search only');
      return null;
    },
  ).catch((error: unknown) => {
    log.warn({ err: error }, 'memory: usearch (ANN) failed to initialise; using exact vector search only');
    return null;
  });
  return loading;
}

/** HNSW parameters. */
export interface AnnOptions {
  connectivity?: number;
  expansionAdd?: number;
  expansionSearch?: number;
}

/** One HNSW index over inner product (vectors are normalised, so IP = cosine). Keys are small integers. */
export class AnnIndex {
  private readonly index: import('usearch').Index;

  constructor(mod: UsearchModule, readonly dims: number, options: AnnOptions = {}) {
    this.index = new mod.Index({
      dimensions: dims,
      metric: mod.MetricKind.IP,
      quantization: mod.ScalarKind.F32,
      connectivity: options.connectivity ?? 32,
      expansion_add: options.expansionAdd ?? 128,
      expansion_search: options.expansionSearch ?? 2048,
      multi: false,
    });
  }

  /** Add rows; `vectors` must be its own buffer (usearch ignores a subarray's byte offset). */
  add(keys: number[], vectors: Float32Array): void {
    const big = new BigUint64Array(keys.length);
    for (let i = 0; i < keys.length; i++) big[i] = BigInt(keys[i]!);
    this.index.add(big, vectors.byteOffset === 0 && vectors.length === vectors.buffer.byteLength / 4 ? vectors : vectors.slice(), 0);
  }

  remove(key: number): void {
    if (this.index.contains(BigInt(key))) this.index.remove(BigInt(key));
  }

  has(key: number): boolean {
    return this.index.contains(BigInt(key)) as boolean;
  }

  get size(): number {
    return this.index.size();
  }

  /** Keys of the (approximately) nearest `k` vectors. */
  search(query: Float32Array, k: number): number[] {
    const q = query.byteOffset === 0 && query.length === query.buffer.byteLength / 4 ? query : query.slice();
    const m = this.index.search(q, k, 0);
    const out: number[] = [];
    for (let i = 0; i < m.keys.length; i++) {
      const key = m.keys[i]!;
      if (key !== 0xffffffffffffffffn) out.push(Number(key));
    }
    return out;
  }
}
