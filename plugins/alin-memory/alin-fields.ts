/**
 * The fields of the original ALIN memory rows that the shared memory store has no column for (decay rate, access
 * count, the consolidated / archived / user-modified flags, related memories, edit history, last access, the client's
 * own timestamps). They live in the entry's metadata under one reserved key and are never shown inside `metadata`.
 */
import { z } from 'zod';
import type { MemoryEntry } from '../../core/plugin-api/index.ts';

/** The reserved metadata key. */
export const ALIN_KEY = '_alin';

const Millis = z.number().int().min(0).max(8.64e15);

/** The camelCase fields the client sends on create and patch (beyond content, layer, salience, tags, metadata, isPinned). */
export const AlinFieldsInput = {
  decayRate: z.number().finite().min(0).max(1000).optional(),
  accessCount: z.number().int().min(0).max(1e12).optional(),
  isConsolidated: z.boolean().optional(),
  isArchived: z.boolean().optional(),
  userModified: z.boolean().optional(),
  relatedMemories: z.array(z.string().max(200)).max(10_000).optional(),
  editHistory: z.array(z.unknown()).max(10_000).optional(),
  lastAccessedAt: Millis.nullable().optional(),
  createdAt: Millis.optional(),
  updatedAt: Millis.optional(),
};

export interface AlinFields {
  decayRate: number;
  accessCount: number;
  isConsolidated: boolean;
  isArchived: boolean;
  userModified: boolean;
  relatedMemories: string[];
  editHistory: unknown[];
  lastAccessedAt: number | null;
  /** The client's own creation time (a migrated memory keeps its date). */
  createdAt?: number;
  /** Keys the client sent that the contract does not name (e.g. `promotedTo`), kept and shown as sent. */
  more?: Record<string, unknown>;
}

export const DEFAULT_FIELDS: AlinFields = {
  decayRate: 0.1, accessCount: 0, isConsolidated: false, isArchived: false, userModified: false,
  relatedMemories: [], editHistory: [], lastAccessedAt: null,
};

/** The stored ALIN fields of an entry, with defaults for entries written by other paths (agent, AION, self-model). */
export function fieldsOf(entry: MemoryEntry): AlinFields {
  const raw = entry.metadata?.[ALIN_KEY];
  return { ...DEFAULT_FIELDS, ...(raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Partial<AlinFields>) : {}) };
}

/** The client-visible metadata: without the reserved key. */
export function visibleMetadata(metadata: Record<string, unknown> | undefined): Record<string, unknown> {
  const { [ALIN_KEY]: _hidden, ...rest } = metadata ?? {};
  return rest;
}

/** Take the ALIN fields out of a create/patch body, over `base` (the stored ones on a patch). */
export function pickFields(body: Partial<AlinFields> & Record<string, unknown>, base: AlinFields = DEFAULT_FIELDS): AlinFields {
  const out: AlinFields = { ...base };
  for (const k of ['decayRate', 'accessCount', 'isConsolidated', 'isArchived', 'userModified', 'relatedMemories', 'editHistory', 'lastAccessedAt', 'createdAt'] as const) {
    if (body[k] !== undefined) (out as any)[k] = body[k];
  }
  return out;
}

/** Metadata to store: the client's metadata (never its own `_alin`) plus the ALIN fields. */
export function packMetadata(metadata: Record<string, unknown> | undefined, fields: AlinFields): Record<string, unknown> {
  return { ...visibleMetadata(metadata), [ALIN_KEY]: fields };
}
