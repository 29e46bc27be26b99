/**
 * A seeded synthetic corpus for the memory benchmark: sentences of ~40 words drawn from a fixed vocabulary with a
 * Zipf-like skew (a few very common words, a long tail), so hit counts resemble real text.
 */

/** Mulberry32: a tiny seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'tas', 'vo', 'pel', 'dri', 'son', 'gu', 'fa', 'nix', 'bor', 'te', 'qua', 'zel', 'han', 'ost', 'mer', 'lin'];
const FUNCTION_WORDS = ['the', 'a', 'and', 'of', 'to', 'in', 'is', 'for', 'with', 'on', 'that', 'it', 'was', 'by', 'user'];

/** A vocabulary of `size` pseudo-words (deterministic for a seed). */
export function vocabulary(size: number, seed = 1): string[] {
  const next = rng(seed);
  const out = new Set<string>();
  while (out.size < size) {
    const n = 2 + Math.floor(next() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(next() * SYLLABLES.length)];
    out.add(w);
  }
  return [...out];
}

/** Make a text generator: `sentence()` returns ~`words` words, Zipf-skewed over the vocabulary. */
export function corpus(seed: number, vocabSize = 20_000, words = 40): { vocab: string[]; sentence(): string; word(): string } {
  const vocab = vocabulary(vocabSize, 7);
  const next = rng(seed);
  // Zipf over ranks offset by 100, p(r) ∝ 1/(r + 100): the shape of content words once the ~100 most common words
  // (stopwords) are gone. Inverse CDF: r = c·((V + c)/c)^u − c.
  const c = 100;
  const ratio = (vocab.length + c) / c;
  const word = () => vocab[Math.min(vocab.length - 1, Math.floor(c * Math.pow(ratio, next()) - c))]!;
  const sentence = () => {
    const n = words - 5 + Math.floor(next() * 11);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(next() < 0.3 ? FUNCTION_WORDS[Math.floor(next() * FUNCTION_WORDS.length)]! : word());
    return parts.join(' ');
  };
  return { vocab, sentence, word };
}
