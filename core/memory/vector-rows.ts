/**
 * The rows of one vector index, in SharedArrayBuffers so search workers read them without a copy: float32 rows for
 * exact similarities and the same rows quantised to int8 for the native candidate scan (`exact-scan.ts`).
 *
 * Slots are append-only: a row, once written, is never rewritten while its buffers are in use. Replacing a vector
 * appends a new slot and leaves the old one dead; deleting only marks the slot dead. A worker scanning rows
 * `[0, used)` can therefore never see a row change under it, whatever the main thread writes meanwhile (it only
 * writes past `used`). Growth and compaction make new buffers (a new `RowBuffers`); readers holding the old ones keep
 * a consistent, if older, picture until they are told about the new ones, in order with every other write.
 *
 * `RowTable` is the slot ↔ id bookkeeping both sides keep: the owner (main thread) and each worker's replica, which
 * replays the owner's changes in order.
 */
import { quantize, scaleFor } from './exact-scan.ts';

/** The shared storage of the rows. */
export interface RowBuffers {
  dims: number;
  /** Capacity in rows. */
  capacity: number;
  f32: Float32Array;
  i8: Int8Array;
  /**
   * The int8 rows again, column by column (component `j` of row `r` at `j · capacity + r`), for the scan of sparse
   * queries (`sparse-scan.ts`).
   */
  cols: Int8Array;
}

/** Buffers for `capacity` rows of `dims` (shared memory when the platform has it). */
export function allocRows(dims: number, capacity: number): RowBuffers {
  const Shared = typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer : ArrayBuffer;
  return {
    dims,
    capacity,
    f32: new Float32Array(new Shared(dims * capacity * 4)),
    i8: new Int8Array(new Shared(dims * capacity)),
    cols: new Int8Array(new Shared(dims * capacity)),
  };
}

/** Copy int8 row `from` of `source` into the columns of `target` as row `to`. */
function writeColumns(source: RowBuffers, from: number, target: RowBuffers, to: number): void {
  const { dims, i8 } = source;
  const { cols, capacity } = target;
  for (let j = 0, o = from * dims; j < dims; j++) cols[j * capacity + to] = i8[o + j]!;
}

/**
 * A query's non-zero components in order, for dot products that skip its zeros: a short text of the local embedder
 * has ~31 of 256, and the re-ranking of candidates was the largest part of a search once their scan got fast. Adding
 * a zero product leaves a sum unchanged, so the similarities are the very numbers the full loop gives.
 */
export interface QueryTerms {
  index: Int32Array;
  weight: Float64Array;
}

export function termsOf(query: Float32Array): QueryTerms {
  let count = 0;
  for (let j = 0; j < query.length; j++) if (query[j] !== 0) count++;
  const index = new Int32Array(count);
  const weight = new Float64Array(count);
  for (let j = 0, i = 0; j < query.length; j++) if (query[j] !== 0) (index[i] = j), (weight[i++] = query[j]!);
  return { index, weight };
}

/** Slot ↔ id bookkeeping over a `RowBuffers`. */
export class RowTable {
  /** Id of each slot, live or dead (a dead slot keeps its old id; compaction renumbers). */
  idOfSlot: string[] = [];
  readonly slotOf = new Map<string, number>();
  readonly scale: number;
  /** 1 where a slot holds the current vector of its id: scans test a byte instead of hashing the id (issue #16). */
  private liveSlots: Uint8Array = new Uint8Array(64);
  /**
   * Live slots whose int8 row has a component at ±127 (clamped, or as good as): their int8 similarity may be off by
   * more than `QuantizedQuery.error`, so the scan re-ranks them always instead of trusting the bound (a few per mille).
   */
  readonly saturated = new Set<number>();

  constructor(public buffers: RowBuffers) {
    this.scale = scaleFor(buffers.dims);
  }

  get dims(): number {
    return this.buffers.dims;
  }

  /** Slots in use (live and dead). */
  get used(): number {
    return this.idOfSlot.length;
  }

  /** Live rows. */
  get live(): number {
    return this.slotOf.size;
  }

  /** Whether `slot` holds the current vector of its id. */
  isLive(slot: number): boolean {
    return this.liveSlots[slot] === 1;
  }

  /** Record that `slot` (already written) now holds `id`'s vector. */
  assign(id: string, slot: number): void {
    const old = this.slotOf.get(id);
    if (old !== undefined) {
      this.liveSlots[old] = 0;
      this.saturated.delete(old);
    }
    this.idOfSlot[slot] = id;
    this.slotOf.set(id, slot);
    if (slot >= this.liveSlots.length) this.liveSlots = grownBytes(this.liveSlots, slot + 1);
    this.liveSlots[slot] = 1;
    if (this.isSaturated(slot)) this.saturated.add(slot);
  }

  private isSaturated(slot: number): boolean {
    const { dims, i8 } = this.buffers;
    for (let i = slot * dims, end = i + dims; i < end; i++) if (i8[i] === 127 || i8[i] === -127) return true;
    return false;
  }

  remove(id: string): boolean {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return false;
    this.liveSlots[slot] = 0;
    this.saturated.delete(slot);
    return this.slotOf.delete(id);
  }

  /** `dot` over a query's terms: the same sum (the zero components add nothing), in a fraction of the time for a sparse query. */
  dotTerms(terms: QueryTerms, slot: number): number {
    const data = this.buffers.f32;
    const o = slot * this.buffers.dims;
    const { index, weight } = terms;
    let s = 0;
    for (let i = 0; i < index.length; i++) s += data[o + index[i]!]! * weight[i]!;
    return s;
  }

  /** Exact float dot product of row `slot` with `query`. */
  dot(query: Float32Array, slot: number): number {
    const d = this.buffers.dims;
    const data = this.buffers.f32;
    const o = slot * d;
    let s = 0;
    for (let i = 0; i < d; i++) s += data[o + i]! * query[i]!;
    return s;
  }

  /** Write `vector` into the next free slot (the caller made room) and return the slot; not yet assigned. */
  writeNext(vector: Float32Array): number {
    const slot = this.idOfSlot.length;
    const { dims, f32, i8 } = this.buffers;
    f32.set(vector, slot * dims);
    quantize(vector, this.scale, i8, slot * dims);
    writeColumns(this.buffers, slot, this.buffers, slot);
    return slot;
  }


  /** Buffers with the live rows only, renumbered in slot order; returns them and the new slot → id list. */
  compacted(capacity: number): { buffers: RowBuffers; ids: string[] } {
    const { dims } = this.buffers;
    const next = allocRows(dims, Math.max(capacity, this.live));
    const ids: string[] = [];
    for (let slot = 0; slot < this.idOfSlot.length; slot++) {
      if (!this.isLive(slot)) continue;
      const to = ids.length;
      next.f32.set(this.buffers.f32.subarray(slot * dims, (slot + 1) * dims), to * dims);
      next.i8.set(this.buffers.i8.subarray(slot * dims, (slot + 1) * dims), to * dims);
      writeColumns(this.buffers, slot, next, to);
      ids.push(this.idOfSlot[slot]!);
    }
    return { buffers: next, ids };
  }

  /** Replace buffers and numbering (compaction), or only the buffers (growth: `ids` omitted). */
  adopt(buffers: RowBuffers, ids?: string[]): void {
    this.buffers = buffers;
    if (!ids) return;
    this.idOfSlot = ids;
    this.slotOf.clear();
    this.saturated.clear();
    this.liveSlots = new Uint8Array(Math.max(64, ids.length));
    ids.forEach((id, slot) => {
      this.slotOf.set(id, slot);
      this.liveSlots[slot] = 1;
      if (this.isSaturated(slot)) this.saturated.add(slot);
    });
  }

  /** Buffers of twice the capacity holding the same rows (growth keeps slot numbers). */
  grown(minRows: number): RowBuffers {
    const { dims, capacity } = this.buffers;
    const next = allocRows(dims, Math.max(minRows, capacity * 2));
    next.f32.set(this.buffers.f32.subarray(0, this.used * dims));
    next.i8.set(this.buffers.i8.subarray(0, this.used * dims));
    for (let j = 0; j < dims; j++) next.cols.set(this.buffers.cols.subarray(j * capacity, j * capacity + this.used), j * next.capacity);
    return next;
  }
}

/** A copy of `bytes` with room for at least `min` (doubling). */
function grownBytes(bytes: Uint8Array, min: number): Uint8Array {
  const next = new Uint8Array(Math.max(min, bytes.length * 2));
  next.set(bytes);
  return next;
}
