/**
 * `PATCH /api/memories/:id` as the original client uses it: partial camelCase updates (pin, archive, salience, layer,
 * content). A content change is recorded in `editHistory` (unless the client sends its own history) and marks the
 * memory user-modified. Patches of one memory are applied one after another, so two quick ones never lose each other.
 */
import { z } from 'zod';
import { KeyedSerialQueue, notFound, type PluginContext } from '../../core/plugin-api/index.ts';
import { fieldsOf, packMetadata, pickFields } from './alin-fields.ts';
import { MemoryPatch } from './schemas.ts';
import { memoryView } from './shape.ts';

/** Entries of `editHistory` kept (oldest dropped first). */
const MAX_HISTORY = 100;
/** Keys the contract does not name that one memory may carry. */
const MAX_MORE_KEYS = 50;

/** Keys with a meaning of their own: the patch's fields, and the stored ones a patch may not set through `more`. */
const KNOWN = new Set(['id', 'userId', 'user_id', 'source', 'embedder', 'dims', 'more', ...Object.keys(MemoryPatch.shape)]);

type Patch = z.infer<typeof MemoryPatch>;

/** Unknown keys of a patch (e.g. `promotedTo`), merged over the stored ones. */
function moreOf(body: Patch, stored: Record<string, unknown> | undefined): Record<string, unknown> {
  const out = { ...(stored ?? {}) };
  for (const [k, v] of Object.entries(body)) {
    if (KNOWN.has(k) || k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    if (!(k in out) && Object.keys(out).length >= MAX_MORE_KEYS) continue;
    out[k] = v;
  }
  return out;
}

export function registerMemoryPatch(ctx: PluginContext): void {
  const perMemory = new KeyedSerialQueue();
  const serial = <T>(key: string, fn: () => Promise<T>): Promise<T> => perMemory.run(key, fn);

  ctx.routes.patch('/memories/:id', {
    summary: 'Update a memory (pin, archive, salience, layer; a content edit is kept in editHistory)',
    params: z.object({ id: z.string().max(200) }),
    body: MemoryPatch,
  }, async (_c, { params, body, user }) => serial(`${user.id}\n${params.id}`, async () => {
    const current = await ctx.memory.get(user.id, params.id);
    if (!current) throw notFound('Memory not found');
    const fields = pickFields(body as any, fieldsOf(current));
    const contentChanged = body.content !== undefined && body.content !== current.content;
    if (contentChanged && body.editHistory === undefined) {
      const entry = { timestamp: Date.now(), previousContent: current.content, newContent: body.content, reason: 'User edit' };
      fields.editHistory = [...fields.editHistory, entry].slice(-MAX_HISTORY);
    }
    if (contentChanged && body.userModified === undefined) fields.userModified = true;
    fields.more = moreOf(body, fields.more);
    const salience = body.salience ?? (body.importance !== undefined ? body.importance / 10 : current.salience);
    const updated = await ctx.memory.add(user.id, {
      id: current.id,
      content: body.content ?? current.content,
      layer: body.layer ?? current.layer,
      category: body.category ?? current.category,
      salience,
      tags: body.tags ?? current.tags,
      metadata: packMetadata(body.metadata ?? current.metadata, fields),
      isPinned: body.isPinned ?? current.isPinned,
      source: current.source,
      expiresAt: body.expiresAt !== undefined ? body.expiresAt : current.expiresAt,
    });
    return { success: true, memory: memoryView(updated) };
  }));
}
