/** AION `GET /api/memory` (the caller's memories, hybrid search with `search`) and `DELETE /api/memory`. */
import { z } from 'zod';
import type { PluginContext } from '../../core/plugin-api/index.ts';

export function registerMemoryRoutes(ctx: PluginContext) {
  ctx.routes.get('/memory', {
    summary: "The caller's memories; hybrid search with ?search=",
    query: z.object({
      search: z.string().max(1000).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(80),
      offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
    }),
  }, async (_c, { query, user }) => {
    const { entries, total } = await ctx.memory.search(user!.id, { search: query.search, limit: query.limit, offset: query.offset });
    return { entries, total, returned: entries.length, has_more: query.offset + entries.length < total };
  });

  ctx.routes.delete('/memory', { summary: "Clear the caller's memories" }, async (_c, { user }) => ({
    ok: true,
    deleted: await ctx.memory.clear(user!.id),
  }));
}
