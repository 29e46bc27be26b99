/** The options both memory drivers take (each adds where it keeps the data: `MemoryStoreOptions`, `PgMemoryOptions`). */
import type { Logger } from 'pino';
import type { EmbedderDefinition } from '../plugin-api/types.ts';
import type { AnnOptions } from './ann.ts';

export interface MemoryDriverOptions {
  log: Logger;
  /** Default: `LocalEmbedder` (256 dims). */
  embedder?: EmbedderDefinition;
  /** Vectors per user above which an ANN index is built (default 20,000; the runtime passes `AION_ANN_THRESHOLD`, else off). */
  annThreshold?: number;
  ann?: AnnOptions;
  /**
   * Vector hits below this cosine similarity are not results. Default: 0.1 for the local n-gram embedder (a one-word
   * query against a 40-word memory sharing only word pieces scores ~0.12), 0.25 for other (semantic) embedders.
   */
  minSimilarity?: number | ((embedder: EmbedderDefinition) => number);
  /** Entries re-embedded per batch when the embedder changes (default 64). */
  reembedBatch?: number;
}
