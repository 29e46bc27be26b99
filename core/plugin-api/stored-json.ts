/**
 * The JSON text of stored documents. The file store remembers, per frozen document, the text it wrote it with (a new
 * message's copy is parsed from exactly that text; a rewrite's join reuses it), and a reader that answers with stored
 * documents (a conversation's messages) joins those texts instead of serialising the same objects again. Each text is
 * `JSON.stringify(doc)` exactly, so a joined array reads byte for byte as `JSON.stringify(array)` would.
 *
 * A reader does not add texts: a document without one is serialised on the spot and not remembered, so answering with
 * stored documents keeps no second copy of them in memory (remembering the text of every message a load read, or a
 * GET served, made a loaded conversation take about twice the heap; issue #16).
 */
const texts = new WeakMap<object, string>();

/** The store's side: `JSON.stringify(doc)`, computed once per frozen document and remembered. */
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

/**
 * `JSON.stringify(docs)` for plain data documents: remembered texts where there are, and each run of documents without
 * one serialised in one call (one `JSON.stringify` of the run's slice is cheaper than one call a document; a
 * conversation read from disk has no texts at all and is one call, as before).
 */
export function storedJsonArray(docs: ReadonlyArray<object>): string {
  let out = '';
  let runStart = 0;
  const flush = (end: number) => {
    if (end > runStart) out += (out ? ',' : '') + JSON.stringify(docs.slice(runStart, end)).slice(1, -1);
  };
  for (let i = 0; i < docs.length; i++) {
    const text = texts.get(docs[i]!);
    if (text === undefined) continue;
    flush(i);
    out += (out ? ',' : '') + text;
    runStart = i + 1;
  }
  if (runStart === 0) return JSON.stringify(docs);
  flush(docs.length);
  return `[${out}]`;
}
