/**
 * What both memory drivers share about one entry: the layers, input validation, building the stored entry from an
 * input, copies handed to callers, and the unit-length wrapper for provider embedders.
 */
import { badRequest } from '../errors.ts';
import type { EmbedderDefinition, MemoryEntry, MemoryInput, MemoryLayer } from '../plugin-api/types.ts';
import { LocalEmbedder } from './local-embedder.ts';

/** All memory layers. */
export const MEMORY_LAYERS: readonly MemoryLayer[] = [
  'short_term', 'long_term', 'semantic', 'relational', 'procedural', 'working',
  'episodic', 'meta', 'immediate', 'notes', 'self_model',
];
const LAYER_SET = new Set<string>(MEMORY_LAYERS);

export const MAX_CONTENT = 100_000;

/** A validated write: the trimmed content, layer and id (given or new). */
export interface CheckedInput {
  id: string;
  content: string;
  layer: MemoryLayer;
}

/** Validate a write; throws 400 with a clear message. */
export function checkInput(userId: string, input: MemoryInput, newId: () => string): CheckedInput {
  if (typeof userId !== 'string' || userId === '') throw badRequest('userId is required');
  const content = typeof input.content === 'string' ? input.content.trim() : '';
  if (content === '') throw badRequest('content is required');
  if (content.length > MAX_CONTENT) throw badRequest(`content is longer than ${MAX_CONTENT} characters`);
  const layer = input.layer ?? 'short_term';
  if (!LAYER_SET.has(layer)) throw badRequest(`unknown layer ${layer}`, { layers: MEMORY_LAYERS });
  const id = input.id ?? newId();
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) throw badRequest('bad id');
  return { id, content, layer };
}

/** The entry a write stores (`createdAt` of the entry it replaces, if any, is kept by the caller). */
export function buildEntry(
  userId: string,
  checked: CheckedInput,
  input: MemoryInput,
  vector: { id: string; dims: number } | null,
  now: number,
  createdAt = now,
): MemoryEntry {
  const salience = typeof input.salience === 'number' && Number.isFinite(input.salience) ? Math.min(1, Math.max(0, input.salience)) : 0.5;
  return {
    id: checked.id,
    userId,
    content: checked.content,
    layer: checked.layer,
    category: typeof input.category === 'string' && input.category.trim() ? input.category.trim() : 'general',
    salience,
    tags: Array.isArray(input.tags) ? input.tags.filter((t): t is string => typeof t === 'string') : [],
    metadata: input.metadata && typeof input.metadata === 'object' ? { ...input.metadata } : {},
    isPinned: input.isPinned === true,
    source: typeof input.source === 'string' && input.source ? input.source : 'user',
    createdAt,
    updatedAt: now,
    expiresAt: typeof input.expiresAt === 'number' && Number.isFinite(input.expiresAt) ? input.expiresAt : null,
    embedder: vector ? vector.id : null,
    dims: vector ? vector.dims : 0,
  };
}

/** Embed one text for storage; `null` (logged) when the embedder is off, fails or answers the wrong size. */
export async function embedOne(
  embedder: EmbedderDefinition,
  text: string,
  warn: (error: unknown) => void,
): Promise<Float32Array | null> {
  if (!embedder.isConfigured()) return null;
  try {
    const [v] = await embedder.embed([text]);
    return v && v.length === embedder.dims ? v : null;
  } catch (error) {
    warn(error);
    return null;
  }
}

export function copyEntry(e: MemoryEntry): MemoryEntry {
  return { ...e, tags: [...e.tags], metadata: { ...e.metadata } };
}

export function clampInt(value: unknown, fallback: number, min: number, max: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isFinite(n)) return fallback;
  return Math.min(max, Math.max(min, Math.floor(n)));
}

/**
 * Default similarity floor: 0.1 for the local n-gram embedder (a one-word query against a 40-word memory sharing only
 * word pieces scores ~0.12), 0.25 for other (semantic) embedders.
 */
export function minSimilarityFor(embedder: EmbedderDefinition, option?: number | ((embedder: EmbedderDefinition) => number)): number {
  if (typeof option === 'number') return option;
  if (typeof option === 'function') return option(embedder);
  return embedder instanceof LocalEmbedder || embedder.id.startsWith('local-ngram') ? 0.1 : 0.25;
}

/**
 * The vector index ranks by dot product, which is the cosine only for unit vectors: provider embedders (OpenAI,
 * Gemini, Ollama) are wrapped so every vector they return is L2-normalised.
 */
export function unitLength(embedder: EmbedderDefinition): EmbedderDefinition {
  if (embedder instanceof LocalEmbedder) return embedder;
  return {
    id: embedder.id,
    dims: embedder.dims,
    isConfigured: () => embedder.isConfigured(),
    embed: async (texts, signal) =>
      (await embedder.embed(texts, signal)).map((v) => {
        let norm = 0;
        for (let i = 0; i < v.length; i++) norm += v[i] * v[i];
        norm = Math.sqrt(norm) || 1;
        return Float32Array.from(v, (x) => x / norm);
      }),
  };
}
