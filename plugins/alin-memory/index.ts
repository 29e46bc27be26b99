/**
 * ALIN memories (`GET/POST /api/memories`, `PATCH/DELETE /api/memories/:id`, in both spellings — `shape.ts`) and the agent's memory tools. Everything lives
 * in the one shared memory store (`ctx.memory`), always scoped to the caller.
 */
import { z } from 'zod';
import { definePlugin, notFound, type PluginContext } from '../../core/plugin-api/index.ts';
import { packMetadata, pickFields } from './alin-fields.ts';
import { registerMemoryPatch } from './patch.ts';
import { Layer, ListQuery, NewMemory, salienceOf } from './schemas.ts';
import { memoryView } from './shape.ts';

export default definePlugin({
  name: 'alin-memory',
  version: '1.0.0',
  description: 'ALIN memories endpoints and the memory_store / memory_recall tools, over the shared memory store',
  setup(ctx) {
    registerMemoryRoutes(ctx);
    registerMemoryPatch(ctx);
    registerMemoryTools(ctx);
  },
});

/** List, create and delete; the PATCH lives in `patch.ts`. */
function registerMemoryRoutes(ctx: PluginContext) {
  ctx.routes.get('/memories', { summary: "The caller's memories (hybrid search with ?search=)", query: ListQuery }, async (_c, { query, user }) => {
    const { entries, total } = await ctx.memory.search(user.id, query);
    return { success: true, memories: entries.map(memoryView), total };
  });

  ctx.routes.post('/memories', { summary: 'Store a memory', body: NewMemory }, async (c, { body, user }) => {
    // One step that checks and reserves the id: of concurrent creates with one id exactly one gets the 201.
    const memory = await ctx.memory.create(user.id, {
      id: body.id,
      content: body.content,
      layer: body.layer,
      category: body.category,
      salience: salienceOf(body),
      tags: body.tags,
      metadata: packMetadata(body.metadata, pickFields(body)),
      isPinned: body.isPinned,
      expiresAt: body.expiresAt ?? null,
      source: 'api',
    });
    c.status = 201;
    return { success: true, id: memory.id, memory: memoryView(memory) };
  });

  ctx.routes.delete('/memories/:id', { summary: 'Delete a memory', params: z.object({ id: z.string().max(128) }) }, async (_c, { params, user }) => {
    if (!(await ctx.memory.delete(user.id, params.id))) throw notFound('Memory not found');
    return { success: true };
  });
}

/** The agent's memory_store and memory_recall. */
function registerMemoryTools(ctx: PluginContext) {
  ctx.tools.register({
    name: 'memory_store',
    description: 'Remember something about the user or the work for later conversations.',
    risk: 'write',
    input: z.object({
      content: z.string().min(1).max(5000).describe('What to remember, as one self-contained sentence'),
      category: z.string().max(100).optional().describe('A short topic, e.g. user_preference, project, tool_usage'),
      summary: z.string().max(250).optional().describe('One line: what happened or what this is about'),
      lesson: z.string().max(600).optional().describe('What to do (or avoid) next time'),
      success: z.boolean().optional().describe('false when this records a failure'),
      importance: z.number().min(1).max(10).optional().describe('1 (trivia) to 10 (critical)'),
      layer: Layer.optional(),
    }),
    run: async (args, call) => {
      // The AION memory view (GET /api/memory) shows summary and category: always fill them.
      const m = await ctx.memory.add(call.user.id, {
        content: args.content,
        category: args.category?.trim() || 'general',
        layer: args.layer ?? 'long_term',
        salience: salienceOf({ importance: args.importance }),
        source: 'agent',
        metadata: {
          conversationId: call.conversationId,
          summary: (args.summary?.trim() || args.content).slice(0, 250),
          ...(args.lesson ? { lesson: args.lesson } : {}),
          ...(args.success === false ? { success: false } : {}),
        },
      });
      return { stored: true, id: m.id };
    },
  });

  ctx.tools.register({
    name: 'memory_recall',
    description: 'Search what you remember (full text and meaning). Returns the best matches first.',
    risk: 'read',
    input: z.object({ query: z.string().min(1).max(1000), limit: z.number().int().min(1).max(20).optional(), layer: Layer.optional() }),
    run: async (args, call) => {
      const { entries, total } = await ctx.memory.search(call.user.id, { search: args.query, limit: args.limit ?? 5, layer: args.layer });
      return { total, memories: entries.map((e) => ({ id: e.id, content: e.content, category: e.category, layer: e.layer, createdAt: e.createdAt })) };
    },
  });
}
