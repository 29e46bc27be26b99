/**
 * A minisearch index saved and loaded in a binary form, for the full-text index persisted at shutdown. The documents'
 * part (ids, field lengths: what minisearch's public `loadJS` reads) stays JSON; the postings, nearly all of the
 * index, are one run of 32-bit integers. Loading minisearch's own JSON (`toJSON`) cost, for 100k memories (2.9M
 * postings), ~0.65 s of `JSON.parse` building an object per term and field and ~1.4 s turning their integer-like keys
 * back into Maps (issue #16: full text ready 3.2 s after a start); from integers the same Maps take ~0.4 s and there
 * is nothing to parse. The loaded index is the one that was saved (`toJSON` equal, tested).
 *
 * Layout: `<documents JSON>\n<terms JSON array>\n<int32 postings>`, the postings being MAGIC, the number of terms,
 * then per term (in the order of the terms array) its number of fields and per field: field id, n, then n pairs of
 * document short id and term frequency. The integers are in this machine's byte order; MAGIC read back wrong (another
 * byte order) or any count out of bounds refuses the snapshot (the caller then builds the index).
 */
import MiniSearch, { type AsPlainObject, type Options } from 'minisearch';
import { internalsOf, type FieldTermData } from './text-internals.ts';

const MAGIC = 0x46545331; // "FTS1"
const NEWLINE = 0x0a;
/** Loading yields to the event loop after each slice of this many milliseconds (the store stays responsive). */
const SLICE_MS = 10;

/** The index as a snapshot; `null` when its internals are not minisearch 7's (the caller then saves nothing). */
export function snapshotOf<T>(mini: MiniSearch<T>): Uint8Array | null {
  const inside = internalsOf(mini);
  if (!inside) return null;
  const terms: string[] = [];
  let ints = 2;
  for (const [term, fields] of inside.terms()) {
    terms.push(term);
    ints += 1;
    for (const docs of fields.values()) ints += 2 + 2 * docs.size;
  }
  const postings = new Int32Array(ints);
  postings[0] = MAGIC;
  postings[1] = terms.length;
  let at = 2;
  for (const [, fields] of inside.terms()) {
    postings[at++] = fields.size;
    for (const [fieldId, docs] of fields) {
      postings[at++] = fieldId;
      postings[at++] = docs.size;
      for (const [shortId, frequency] of docs) {
        postings[at++] = shortId;
        postings[at++] = frequency;
      }
    }
  }
  const head = Buffer.from(`${JSON.stringify(inside.plainWithoutTerms())}\n${JSON.stringify(terms)}\n`);
  return Buffer.concat([head, new Uint8Array(postings.buffer)]);
}

/** Load a `snapshotOf` snapshot, in slices; throws when it is damaged or not one. */
export async function loadSnapshot<T>(bytes: Uint8Array, options: Options<T>): Promise<MiniSearch<T>> {
  const first = bytes.indexOf(NEWLINE);
  const second = first < 0 ? -1 : bytes.indexOf(NEWLINE, first + 1);
  if (second < 0) throw new Error('not a full-text snapshot');
  const decoder = new TextDecoder();
  const plain = JSON.parse(decoder.decode(bytes.subarray(0, first))) as AsPlainObject;
  const terms = JSON.parse(decoder.decode(bytes.subarray(first + 1, second))) as unknown;
  // A copy of the integers, aligned for the Int32Array (in the file they follow text of any length). `slice` of the
  // Uint8Array prototype: a Buffer's own `slice` is a view.
  const tail = Uint8Array.prototype.slice.call(bytes, second + 1);
  if (!Array.isArray(terms) || tail.byteLength % 4 !== 0 || plain.serializationVersion !== 2) throw new Error('not a full-text snapshot');
  const ints = new Int32Array(tail.buffer, tail.byteOffset, tail.byteLength / 4);
  if (ints[0] !== MAGIC || ints[1] !== terms.length) throw new Error('not a full-text snapshot of this machine');
  const mini = MiniSearch.loadJS<T>({ ...plain, index: [] }, options);
  const inside = internalsOf(mini);
  if (!inside) throw new Error('minisearch internals unknown');
  let at = 2;
  let sliceStart = performance.now();
  for (const term of terms) {
    if (typeof term !== 'string' || at >= ints.length) throw new Error('damaged full-text snapshot');
    const fieldCount = ints[at++]!;
    const fields: FieldTermData = new Map();
    for (let f = 0; f < fieldCount; f++) {
      const fieldId = ints[at++];
      const n = ints[at++];
      if (fieldId === undefined || n === undefined || n < 0 || at + 2 * n > ints.length) throw new Error('damaged full-text snapshot');
      const docs = new Map<number, number>();
      for (let i = 0; i < n; i++, at += 2) docs.set(ints[at]!, ints[at + 1]!);
      fields.set(fieldId, docs);
    }
    inside.setTerm(term, fields);
    if (performance.now() - sliceStart >= SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  if (at !== ints.length) throw new Error('damaged full-text snapshot');
  return mini;
}
