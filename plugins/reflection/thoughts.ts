/** One user's thoughts (`DATA_DIR/store/thoughts/<userId>.json`), newest last, trimmed to `keep`. */
import { randomUUID } from 'node:crypto';
import { badRequest, type PluginContext } from '../../core/plugin-api/index.ts';

export interface Thought {
  id: string;
  thought: string;
  trigger: string;
  createdAt: number;
}

/** Shared words over the larger word set — the original's near-duplicate measure. */
export function wordOverlap(a: string, b: string): number {
  const wa = new Set(a.toLowerCase().split(/\s+/).filter(Boolean));
  const wb = new Set(b.toLowerCase().split(/\s+/).filter(Boolean));
  if (!wa.size || !wb.size) return 0;
  let shared = 0;
  for (const w of wa) if (wb.has(w)) shared++;
  return shared / Math.max(wa.size, wb.size);
}

export interface ReflectOptions {
  keep: number;
  duplicateThreshold: number;
  compareLast: number;
}

export const thoughtsOf = (ctx: PluginContext<any>, userId: string) => ctx.store.forUser(userId).collection<Thought>('thoughts');

export async function reflect(ctx: PluginContext<any>, userId: string, thought: string, trigger: string, opts: ReflectOptions) {
  const text = thought.trim();
  if (!text) throw badRequest('No thought provided', undefined, 'INVALID_THOUGHT');
  const coll = thoughtsOf(ctx, userId);
  const all = await coll.all();
  if (all.slice(-opts.compareLast).some((t) => wordOverlap(text, t.thought) > opts.duplicateThreshold)) return { ok: true, skipped: 'near_duplicate' };
  const entry = await coll.insert({ id: randomUUID(), thought: text, trigger: trigger.trim() || 'general', createdAt: Date.now() });
  const excess = all.length + 1 - opts.keep;
  if (excess > 0) {
    const old = new Set(all.slice(0, excess).map((t) => t.id));
    await coll.deleteWhere((t) => old.has(t.id));
  }
  return { ok: true, saved: true, id: entry.id, timestamp: new Date(entry.createdAt).toISOString(), entry };
}
