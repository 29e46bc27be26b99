/**
 * The JSON text of a stored document, remembered per frozen document. The file store computes it once when it writes
 * the document (or hands over the text it already made), and a reader that answers with stored documents (a
 * conversation's messages) joins these texts instead of serialising the same objects again (issue #16: the body's
 * JSON.stringify was about a third of a cold `GET /api/conversations/:id`). Only frozen objects are remembered: one
 * that can change could be served stale. The text is `JSON.stringify(doc)` exactly, so a joined array reads
 * byte for byte as `JSON.stringify(array)` would.
 */
const texts = new WeakMap<object, string>();

/** `JSON.stringify(doc)` of a plain data document, computed once per frozen document. */
export function storedJson(doc: object): string {
  let json = texts.get(doc);
  if (json === undefined) {
    json = JSON.stringify(doc);
    if (Object.isFrozen(doc)) texts.set(doc, json);
  }
  return json;
}

/**
 * Remember `json` as the text of the frozen `doc`; the caller vouches that it is `JSON.stringify(doc)` (the store's
 * copy of a new document is parsed from exactly that text).
 */
export function rememberStoredJson(doc: object, json: string): void {
  texts.set(doc, json);
}

/** `JSON.stringify(docs)` for plain data documents, from their remembered texts (no object is serialised twice). */
export function storedJsonArray(docs: ReadonlyArray<object>): string {
  if (docs.length === 0) return '[]';
  let out = '[';
  for (let i = 0; i < docs.length; i++) out += (i ? ',' : '') + storedJson(docs[i]);
  return `${out}]`;
}
