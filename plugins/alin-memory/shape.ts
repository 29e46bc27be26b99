/**
 * A memory as the ALIN client reads it. Its `dbInit.ts` reads the original's snake_case rows (`decay_rate`,
 * `is_pinned`, `related_memories`, `edit_history`, `created_at` …) and its store then uses `relatedMemories` as an
 * array; our own fields are camelCase. Both spellings are sent wherever they differ, and no array is ever missing.
 */
import type { MemoryEntry } from '../../core/plugin-api/index.ts';
import { fieldsOf, visibleMetadata } from './alin-fields.ts';

export function memoryView(entry: MemoryEntry & { score?: number }) {
  const f = fieldsOf(entry);
  const createdAt = f.createdAt ?? entry.createdAt;
  return {
    ...(f.more ?? {}),
    ...entry,
    metadata: visibleMetadata(entry.metadata),
    tags: entry.tags ?? [],
    createdAt,
    decayRate: f.decayRate,
    accessCount: f.accessCount,
    isConsolidated: f.isConsolidated,
    isArchived: f.isArchived,
    userModified: f.userModified,
    relatedMemories: f.relatedMemories,
    editHistory: f.editHistory,
    lastAccessedAt: f.lastAccessedAt,
    // The original's column names.
    user_id: entry.userId,
    decay_rate: f.decayRate,
    access_count: f.accessCount,
    is_consolidated: f.isConsolidated,
    is_archived: f.isArchived,
    is_pinned: entry.isPinned,
    user_modified: f.userModified,
    related_memories: f.relatedMemories,
    edit_history: f.editHistory,
    last_accessed_at: f.lastAccessedAt,
    created_at: createdAt,
    updated_at: entry.updatedAt,
    expires_at: entry.expiresAt,
  };
}
