/**
 * Loading a persisted minisearch index without minisearch's own async loader. `loadJSONAsync` waits a timer after
 * every 1,000 keys it reads, and a timer is ≥ 1 ms: a 100k-memory index has ~3.5M postings, so ~3,500 waits — most of
 * the 5.6–7 s a restore took (issue #16). Here the cheap parts (document ids, field lengths) go through the public
 * `loadJS` with an empty term list, and the postings are added term by term, yielding with `setImmediate` after each
 * ~10 ms slice: the same index (`toJSON` equal), as responsive, without the idle waits.
 *
 * Adding the postings writes minisearch's term index through `text-internals.ts`; where its internals are not what
 * that file knows (another minisearch), the public async loader is used.
 */
import MiniSearch, { type AsPlainObject, type Options } from 'minisearch';
import { internalsOf, type FieldTermData } from './text-internals.ts';

/** One term's postings as `toJSON` writes them (serialization version 2): field id → document short id → count. */
type TermPostings = Record<string, Record<string, number>>;

const SLICE_MS = 10;

export async function loadIndexJSON<T>(json: string, options: Options<T>): Promise<MiniSearch<T>> {
  const js = JSON.parse(json) as AsPlainObject;
  if (js.serializationVersion !== 2 || !Array.isArray(js.index)) return MiniSearch.loadJSAsync<T>(js, options);
  const mini = MiniSearch.loadJS<T>({ ...js, index: [] }, options);
  const inside = internalsOf(mini);
  if (!inside) return MiniSearch.loadJSAsync<T>(js, options);
  const terms = js.index as Array<[string, TermPostings]>;
  let sliceStart = performance.now();
  for (const [term, fields] of terms) {
    inside.setTerm(term, postingsOf(fields));
    if (performance.now() - sliceStart >= SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  return mini;
}

/**
 * One term's postings as minisearch holds them. `for…in` and `+key` instead of `Object.keys` and `parseInt`: the keys
 * are the parsed JSON's own integer-like keys, and this conversion was the largest part of a restore (100k memories:
 * ~3.5M postings, 1.2 s of 3 s).
 */
function postingsOf(fields: TermPostings): FieldTermData {
  const byField = new Map<number, Map<number, number>>();
  for (const fieldId in fields) {
    const counts = fields[fieldId]!;
    const docs = new Map<number, number>();
    for (const shortId in counts) docs.set(+shortId, counts[shortId]!);
    byField.set(+fieldId, docs);
  }
  return byField;
}
