/**
 * The original AION memory entry (`seed-contracts.md` B6) over our memory store: `{ id, timestamp (ISO), category,
 * success, summary, lesson, error?, hint? }` first, our fields after. `summary`/`lesson`/`success`/`error`/`hint` come
 * from the entry's metadata (the agent's `memory_store` fills them), else from its content.
 */
import type { MemoryEntry, PluginContext } from '../../core/plugin-api/index.ts';

const str = (v: unknown, max: number): string | undefined => (typeof v === 'string' && v ? v.slice(0, max) : undefined);

export function originalMemory(e: MemoryEntry) {
  const meta = e.metadata ?? {};
  const error = str(meta.error, 300);
  const hint = str(meta.hint, 300);
  const category = e.category || 'general';
  const { id, category: _stored, ...ours } = e;
  // ALIN-only fields live under `metadata._alin` (the ALIN routes show them in their own spelling); not here.
  if (ours.metadata && '_alin' in ours.metadata) {
    const { _alin, ...rest } = ours.metadata as Record<string, unknown>;
    ours.metadata = rest;
  }
  return {
    id,
    timestamp: new Date(e.createdAt).toISOString(),
    category,
    success: meta.success !== false,
    summary: str(meta.summary, 250) ?? e.content.slice(0, 250),
    lesson: str(meta.lesson, 600) ?? e.content.slice(0, 600),
    ...(error ? { error } : {}),
    ...(hint ? { hint } : {}),
    // Our fields come along (content, layer, salience, embedder, …).
    ...ours,
  };
}

/** How many of the newest entries the substring search looks at (the original kept 300 in all). */
const SCAN_LIMIT = 20_000;
const PAGE = 1000;

/**
 * The original's search — case-insensitive substring over summary, lesson and category, newest first — followed by
 * our hybrid (full-text + meaning) hits that the substring missed.
 */
export async function searchOriginal(ctx: PluginContext, userId: string, search: string): Promise<MemoryEntry[]> {
  const needle = search.toLowerCase();
  const found = new Map<string, MemoryEntry>();
  for (let offset = 0; offset < SCAN_LIMIT; offset += PAGE) {
    const { entries } = await ctx.memory.search(userId, { limit: PAGE, offset });
    for (const e of entries) {
      const o = originalMemory(e);
      if ([o.summary, o.lesson, o.category].some((f) => f.toLowerCase().includes(needle))) found.set(e.id, e);
    }
    if (entries.length < PAGE) break;
  }
  const { entries: hybrid } = await ctx.memory.search(userId, { search, limit: 200 });
  for (const e of hybrid) if (!found.has(e.id)) found.set(e.id, e);
  return [...found.values()];
}
