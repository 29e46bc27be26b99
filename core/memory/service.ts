/**
 * The memory service as the runtime sees it: the plugin API's `MemoryApi` plus lifecycle, embedder switching and
 * progress. Two drivers implement it: `MemoryStore` (lowdb-era files in DATA_DIR/memory, the default) and
 * `PgMemoryStore` (PostgreSQL, when DATABASE_URL is set).
 */
import type { EmbedderDefinition, MemoryApi } from '../plugin-api/types.ts';

/** Progress of the background (re-)embedding. */
export interface ReembedProgress {
  embedder: string;
  done: number;
  total: number;
  running: boolean;
}

export interface MemoryService extends MemoryApi {
  load(): Promise<void>;
  close(): Promise<void>;
  /** Resolves when the full-text indexes built at load are ready (benchmarks, tests). */
  whenIndexed(): Promise<void>;
  currentEmbedder(): EmbedderDefinition;
  /** Switch embedders; entries are re-embedded in the background and found by full text meanwhile. */
  setEmbedder(embedder: EmbedderDefinition): void;
  reembedProgress(): ReembedProgress;
  whenReembedded(): Promise<void>;
  annReady(userId: string): Promise<boolean>;
}
