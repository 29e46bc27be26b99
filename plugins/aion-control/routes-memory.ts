/** AION `GET /api/memory` (the caller's memories in the original entry format, `memory-view.ts`) and `DELETE /api/memory`. */
import { z } from 'zod';
import type { PluginContext } from '../../core/plugin-api/index.ts';
import { originalMemory, searchOriginal } from './memory-view.ts';

export function registerMemoryRoutes(ctx: PluginContext) {
  ctx.routes.get('/memory', {
    summary: "The caller's memories; hybrid search with ?search=",
    query: z.object({
      search: z.string().max(1000).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(80),
      offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
    }),
  }, async (_c, { query, user }) => {
    const search = query.search?.trim();
    if (!search) {
      const { entries, total } = await ctx.memory.search(user.id, { limit: query.limit, offset: query.offset });
      return { entries: entries.map(originalMemory), total, returned: entries.length, has_more: query.offset + entries.length < total };
    }
    // As the original: `total` counts all entries, `has_more` is about the filtered list.
    const matches = await searchOriginal(ctx, user.id, search, query.offset + query.limit + 1);
    const page = matches.slice(query.offset, query.offset + query.limit);
    return { entries: page.map(originalMemory), total: ctx.memory.count(user.id), returned: page.length, has_more: query.offset + page.length < matches.length };
  });

  ctx.routes.delete('/memory', { summary: "Clear the caller's memories" }, async (_c, { user }) => ({
    ok: true,
    deleted: await ctx.memory.clear(user.id),
  }));
}
