/** Input schemas of the memory endpoints and tools (`alin-api.md` → Memories). */
import { z } from 'zod';
import { AlinFieldsInput } from './alin-fields.ts';

/** The eight layers of the ALIN memories API (the self-model's layers are accepted too: one store). */
export const Layer = z.enum(['short_term', 'long_term', 'semantic', 'relational', 'procedural', 'working', 'episodic', 'meta', 'immediate', 'notes', 'self_model']);

/**
 * The fields a memory is created and patched with, beyond its id, content and layer (whose rules differ: required or
 * defaulted on create, optional on a patch).
 */
const MemoryFields = {
  category: z.string().max(100).optional(),
  salience: z.number().min(0).max(1).optional(),
  importance: z.number().min(1).max(10).optional(),
  tags: z.array(z.string().max(100)).max(50).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  isPinned: z.boolean().optional(),
  expiresAt: z.number().int().positive().nullable().optional(),
  /** The original's other columns, sent camelCase by the client (`alin-fields.ts`). */
  ...AlinFieldsInput,
};

const MAX_CONTENT = 20_000;

export const NewMemory = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/).optional(),
  content: z.string().trim().min(1, 'content is required').max(MAX_CONTENT),
  layer: Layer.default('short_term'),
  ...MemoryFields,
});

/** `PATCH /api/memories/:id`: every field optional; keys the contract does not name are kept (`patch.ts`). */
export const MemoryPatch = z.looseObject({
  content: z.string().trim().min(1, 'content must not be empty').max(MAX_CONTENT).optional(),
  layer: Layer.optional(),
  ...MemoryFields,
});

export const ListQuery = z.object({
  layer: Layer.optional(),
  category: z.string().max(100).optional(),
  search: z.string().max(1000).optional(),
  // The original client lists every memory at start-up without a limit (the original server had none).
  limit: z.coerce.number().int().min(1).max(1000).default(1000),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/** `salience` wins; else `importance / 10`; else 0.5. */
export function salienceOf(input: { salience?: number; importance?: number }): number {
  if (input.salience !== undefined) return input.salience;
  if (input.importance !== undefined) return input.importance / 10;
  return 0.5;
}
