/** Rows of the memory tables and the entries and vectors they hold. */
import type { MemoryEntry } from '../../plugin-api/types.ts';

/** A row of memory_entries as selected (`seq` and `expires_at` come back as strings: bigint). */
export interface EntryRow {
  user_id: string;
  id: string;
  seq: string;
  doc: EntryDoc;
  embedder: string | null;
  dims: number;
}

/** The fields of an entry kept in `doc` (the others are columns). */
export type EntryDoc = Omit<MemoryEntry, 'id' | 'userId' | 'embedder' | 'dims'>;

export const ENTRY_COLUMNS = 'user_id, id, seq, doc, embedder, dims';

export function entryDoc(e: MemoryEntry): EntryDoc {
  return {
    content: e.content,
    layer: e.layer,
    category: e.category,
    salience: e.salience,
    tags: e.tags,
    metadata: e.metadata,
    isPinned: e.isPinned,
    source: e.source,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    expiresAt: e.expiresAt,
  };
}

/** The entry of a row, its fields in the order the lowdb driver gives them. */
export function rowEntry(row: EntryRow): MemoryEntry {
  const d = row.doc;
  return {
    id: row.id,
    userId: row.user_id,
    content: d.content,
    layer: d.layer,
    category: d.category,
    salience: d.salience,
    tags: d.tags,
    metadata: d.metadata,
    isPinned: d.isPinned,
    source: d.source,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    expiresAt: d.expiresAt,
    embedder: row.embedder,
    dims: row.dims,
  };
}

/** float32 little endian, as the lowdb driver's vector file stores them (every platform Node runs AION on is LE). */
export function vectorBytes(v: Float32Array): Buffer {
  return Buffer.from(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
}

export function bytesVector(b: Buffer): Float32Array {
  const v = new Float32Array(b.length >>> 2);
  new Uint8Array(v.buffer).set(b.subarray(0, v.length * 4));
  return v;
}
