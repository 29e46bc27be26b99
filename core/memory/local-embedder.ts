/**
 * The default embedder: deterministic feature hashing, no model, no network.
 *
 * What it captures, honestly: LEXICAL and MORPHOLOGICAL similarity only. Two texts get close vectors when they share
 * words (stemmed unigrams), word pairs (bigrams) or pieces of words (character 3- and 4-grams, so "deploy",
 * "deployment" and "redeployed" overlap, and a typo still shares most of its grams). It knows nothing about meaning:
 * "car" and "automobile" are unrelated to it, and "dog bites man" ≈ "man bites dog" apart from the bigrams. Use a
 * real embedding model (a plugin-registered `EmbedderDefinition`) for semantic recall; the store re-embeds everything
 * when the embedder changes.
 *
 * Method: each feature is hashed with FNV-1a (32 bit) into `dims` buckets, with a sign from another bit of the hash
 * (signed hashing, so collisions cancel in expectation instead of piling up), weighted by a sublinear term frequency
 * (1 + ln tf) and a per-kind weight; the vector is L2-normalised so a dot product is the cosine.
 */
import type { EmbedderDefinition } from '../plugin-api/types.ts';
import { STOPWORDS, stem, words } from './text-tokens.ts';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

// Seeds keep the feature kinds apart ("ab" as a word vs "ab" as a character gram).
const SEED_WORD = 0x5bd1e995;
const SEED_BIGRAM = 0x27d4eb2f;
const SEED_GRAM3 = 0x165667b1;
const SEED_GRAM4 = 0x1b873593;

const WEIGHT_WORD = 1.0;
const WEIGHT_BIGRAM = 0.6;
/** Character grams are many per word; this keeps their total mass comparable to the word features. */
const WEIGHT_GRAM = 0.35;

function fnvString(seed: number, s: string, start = 0, end = s.length): number {
  let h = (FNV_OFFSET ^ seed) >>> 0;
  for (let i = start; i < end; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  // A final avalanche so that the low bits (the bucket) and the top bit (the sign) are well mixed.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/** Options of the local embedder. */
export interface LocalEmbedderOptions {
  /** Vector size: 256 (default) or 384; any positive size works. */
  dims?: number;
}

/** Hashed n-gram embedder (id `local-ngram-v1-<dims>`). Always configured, deterministic, offline. */
export class LocalEmbedder implements EmbedderDefinition {
  readonly id: string;
  readonly dims: number;

  constructor(options: LocalEmbedderOptions = {}) {
    this.dims = options.dims ?? 256;
    if (!Number.isInteger(this.dims) || this.dims <= 0) throw new Error(`bad dims ${this.dims}`);
    this.id = `local-ngram-v1-${this.dims}`;
  }

  isConfigured(): boolean {
    return true;
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    signal?.throwIfAborted();
    return texts.map((t) => this.embedOne(t));
  }

  /** Synchronous form of `embed` for one text. */
  embedOne(text: string): Float32Array {
    const wordTf = new Map<number, number>();
    const bigramTf = new Map<number, number>();
    const gramTf = new Map<number, number>();
    let prevStem: string | null = null;
    for (const w of words(text)) {
      if (w.length < 2 || STOPWORDS.has(w)) {
        prevStem = null;
        continue;
      }
      const s = stem(w);
      bump(wordTf, fnvString(SEED_WORD, s));
      if (prevStem !== null) bump(bigramTf, fnvString(SEED_BIGRAM, prevStem + ' ' + s));
      prevStem = s;
      const padded = '^' + w + '$';
      for (let i = 0; i + 3 <= padded.length; i++) bump(gramTf, fnvString(SEED_GRAM3, padded, i, i + 3));
      for (let i = 0; i + 4 <= padded.length; i++) bump(gramTf, fnvString(SEED_GRAM4, padded, i, i + 4));
    }
    const v = new Float32Array(this.dims);
    this.accumulate(v, wordTf, WEIGHT_WORD);
    this.accumulate(v, bigramTf, WEIGHT_BIGRAM);
    this.accumulate(v, gramTf, WEIGHT_GRAM);
    let norm = 0;
    for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let i = 0; i < v.length; i++) v[i]! *= inv;
    }
    return v;
  }

  private accumulate(v: Float32Array, tf: Map<number, number>, weight: number): void {
    const dims = this.dims;
    for (const [h, count] of tf) {
      const sign = h & 0x80000000 ? -1 : 1;
      v[h % dims]! += sign * weight * (1 + Math.log(count));
    }
  }
}

function bump(map: Map<number, number>, h: number): void {
  map.set(h, (map.get(h) ?? 0) + 1);
}
