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

/**
 * How many of the newest entries the substring search looks at: the original kept 300 memories in all, so its substring
 * search saw every one; we keep the newest 1,000 and let the hybrid full-text + meaning search below find older
 * matches. Scanning every entry made a search cost O(entries): 20,000 memories took 150 ms a query (issue #16).
 */
const SUBSTRING_WINDOW = 1000;

/** At most this many hybrid hits follow the substring matches (the page can never reach further). */
const HYBRID_MAX = 200;

/**
 * The original's search — case-insensitive substring over summary, lesson and category, newest first — followed by
 * our hybrid (full-text + meaning) hits that the substring missed. `wanted` is how many matches the caller reads
 * (offset + limit + 1, the one more telling it whether there are more): the first `wanted` matches are the substring
 * matches and then at most `wanted` hybrid hits, so asking the hybrid search for more only made it rank more vector
 * hits for entries no page shows; with `wanted` substring matches in hand it is not run at all.
 *
 * The substring test runs inside the store over its own entries (`match`, `window`): only the matches are copied,
 * where reading the window page by page copied all 1,000 entries of it per request (issue #16's profile).
 */
export async function searchOriginal(ctx: PluginContext, userId: string, search: string, wanted: number): Promise<MemoryEntry[]> {
  const { entries: substring } = await ctx.memory.search(userId, { limit: wanted, window: SUBSTRING_WINDOW, match: substringMatcher(search) });
  if (substring.length >= wanted) return substring;
  const found = new Map(substring.map((e) => [e.id, e]));
  const { entries: hybrid } = await ctx.memory.search(userId, { search, limit: Math.min(HYBRID_MAX, wanted) });
  for (const e of hybrid) if (!found.has(e.id)) found.set(e.id, e);
  return [...found.values()];
}

/**
 * Whether an entry's summary, lesson or category (as its original entry shows them: metadata first, else the
 * content) contains `search`, ignoring case. One case-insensitive expression per search instead of lower-casing three
 * fields of each of 1,000 entries per request (up to 1.8 MB of throwaway strings).
 */
function substringMatcher(search: string): (e: Readonly<MemoryEntry>) => boolean {
  const needle = new RegExp(search.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'iu');
  return (e) => {
    const meta = e.metadata ?? {};
    const summary = str(meta.summary, 250);
    const lesson = str(meta.lesson, 600);
    // Without metadata both come from the content: its first 600 characters hold the 250 of the summary.
    if (summary === undefined && lesson === undefined) return needle.test(e.content.slice(0, 600)) || needle.test(e.category || 'general');
    return needle.test(summary ?? e.content.slice(0, 250)) || needle.test(lesson ?? e.content.slice(0, 600)) || needle.test(e.category || 'general');
  };
}
