/**
 * The self-model's layer memory (`POST|GET /api/self-model/layer-memory`, `POST …/prune`), kept in the shared memory
 * store with `source: 'self-model'`. The server applies the layer TTLs the original client computed: without an
 * `expiresAt`, short_term lives 24 h, working 7 days, every other layer forever.
 */
import { z } from 'zod';
import { AppError, type MemoryEntry, type PluginContext } from '../../core/plugin-api/index.ts';

export const LAYERS = ['immediate', 'short_term', 'working', 'episodic', 'semantic', 'relational', 'notes', 'self_model'] as const;
type Layer = (typeof LAYERS)[number];

const HOUR = 3_600_000;
const TTL: Partial<Record<Layer, number>> = { short_term: 24 * HOUR, working: 7 * 24 * HOUR };

/** `expiresAt` given (a time or `null` = never) wins; otherwise the layer's TTL from now. */
export function expiryFor(layer: Layer, given: number | null | undefined, now: number): number | null {
  if (given !== undefined) return given;
  const ttl = TTL[layer];
  return ttl === undefined ? null : now + ttl;
}

const Body = z.object({
  layer: z.enum(LAYERS).default('short_term'),
  content: z.string().min(1).max(100_000),
  category: z.string().max(100).optional(),
  salience: z.number().min(0).max(1).optional(),
  expiresAt: z.number().int().min(0).max(8.64e15).nullable().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

const out = (m: MemoryEntry) => ({
  id: m.id, layer: m.layer, content: m.content, category: m.category, salience: m.salience,
  expiresAt: m.expiresAt, metadata: m.metadata, createdAt: m.createdAt, updatedAt: m.updatedAt,
});

export function registerLayerMemory(ctx: PluginContext) {
  /** The memory store is optional in the core: without it these routes answer 503 rather than a bare 500. */
  const memory = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error: any) {
      if (/not available/.test(String(error?.message))) throw new AppError(503, 'MEMORY_UNAVAILABLE', 'The memory store is not available');
      throw error;
    }
  };

  ctx.routes.post('/self-model/layer-memory', { summary: 'Store a layer memory (TTL by layer unless expiresAt is given)', body: Body }, async (c, { body, user }) => {
    const entry = await memory(() =>
      ctx.memory.add(user.id, {
        content: body.content,
        layer: body.layer,
        category: body.category ?? 'general',
        salience: body.salience ?? 0.5,
        expiresAt: expiryFor(body.layer, body.expiresAt, Date.now()),
        metadata: body.metadata ?? {},
        source: 'self-model',
      }),
    );
    c.status = 201;
    return { success: true, id: entry.id, memory: out(entry) };
  });

  ctx.routes.get('/self-model/layer-memory', {
    summary: 'Unexpired memories of one layer, by salience',
    query: z.object({
      layer: z.enum(LAYERS).default('short_term'),
      limit: z.coerce.number().int().min(1).default(50).transform((n) => Math.min(n, 200)),
    }),
  }, async (_c, { query, user }) => {
    const { entries } = await memory(() => ctx.memory.search(user.id, { layer: query.layer, limit: query.limit, order: 'salience' }));
    const now = Date.now();
    return { success: true, memories: entries.filter((m) => m.expiresAt === null || m.expiresAt > now).map(out) };
  });

  ctx.routes.post('/self-model/layer-memory/prune', { summary: "Delete the caller's expired memories" }, async (_c, { user }) => ({
    success: true,
    pruned: await memory(() => ctx.memory.prune(user.id)),
  }));
}
