/**
 * Word splitting, stopwords and a light stemmer shared by the full-text index and the local embedder, so that
 * "typescripts", "TypeScript's" and "typescript" all become the same term on both sides.
 */

/** Common English function words: dropped from the index and from queries (they only add hits, never meaning). */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all am an and any are as at be because been before being below between both ' +
    'but by can could did do does doing down during each few for from further had has have having he her here hers ' +
    'herself him himself his how i if in into is it its itself just let me more most my myself no nor not now of off ' +
    'on once only or other ought our ours ourselves out over own same she should so some such than that the their ' +
    'theirs them themselves then there these they this those through to too under until up very was we were what ' +
    'when where which while who whom why will with would you your yours yourself yourselves s t don didn doesn isn ' +
    'wasn weren won wouldn shouldn couldn ll ve re d m also been get got via etc'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}]+/gu;
const COMBINING = /[\u0300-\u036f]/g;

/** Lower-case, strip diacritics and split into words (letters and digits). Keeps stopwords; callers decide. */
export function words(text: string): string[] {
  const folded = text.normalize('NFKD').replace(COMBINING, '').toLowerCase();
  return folded.match(WORD) ?? [];
}

const VOWEL = /[aeiouy]/;

/**
 * A light suffix stemmer (plural, -ing, -ed, final -e). Not Porter: it only needs to be consistent between the
 * index and the query, and to keep prefix search working ("coding" → "cod", which is also a prefix of "code").
 */
export function stem(word: string): string {
  let w = word;
  const n = w.length;
  if (n <= 3 || /\d/.test(w)) return w;
  if (w.endsWith("'s")) w = w.slice(0, -2);
  if (w.endsWith('ies') && n > 4) w = w.slice(0, -3) + 'y';
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (/(?:sh|ch|x|z)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing') && VOWEL.test(w.slice(0, -3))) w = undouble(w.slice(0, -3));
  else if (w.length > 4 && w.endsWith('ed') && VOWEL.test(w.slice(0, -2))) w = undouble(w.slice(0, -2));
  if (w.length >= 4 && w.endsWith('e') && !w.endsWith('ee')) w = w.slice(0, -1);
  return w;
}

function undouble(w: string): string {
  const n = w.length;
  if (n >= 3 && w[n - 1] === w[n - 2] && !/[lsz]/.test(w[n - 1]!)) return w.slice(0, -1);
  return w;
}

/** minisearch `processTerm`: drop stopwords and one-letter terms, stem the rest. */
export function processTerm(term: string): string | null {
  const t = term.toLowerCase();
  if (t.length < 2 || STOPWORDS.has(t)) return null;
  return stem(t);
}

/** minisearch `tokenize`: the same word splitting as `words`. */
export function tokenize(text: string): string[] {
  return words(text);
}

/** The terms of a text as indexed: words, minus stopwords, stemmed. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) {
    const t = processTerm(w);
    if (t) out.push(t);
  }
  return out;
}
