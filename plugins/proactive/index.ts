/**
 * Proactive: before each turn the user's memories are searched for the message; those whose relevance passes the
 * `threshold` (and were not surfaced within `cooldown_hours`) are pushed as `{ type: "proactive", text, memoryId }`
 * and kept as pending suggestions. `proactive_check(query?)` runs the same search now (default: the user's latest
 * messages); `proactive_clear` drops the pending suggestions.
 */
import { z } from 'zod';
import { definePlugin, type PluginContext, type User } from '../../core/plugin-api/index.ts';
import { relevance } from './relevance.ts';

const Settings = z.object({
  threshold: z.number().min(0).max(1).default(0.5),
  cooldown_hours: z.number().min(0).max(24 * 30).default(24),
  max_per_turn: z.number().int().min(1).max(10).default(2),
});
type S = z.infer<typeof Settings>;

interface Surfaced { id: string; memoryId: string; text: string; relevance: number; at: number; pending: boolean }

const surfacedOf = (ctx: PluginContext<S>, userId: string) => ctx.store.forUser(userId).collection<Surfaced>('proactive');

async function surface(ctx: PluginContext<S>, user: User, query: string): Promise<Surfaced[]> {
  const s = ctx.settings.get();
  if (!query.trim()) return [];
  const { entries } = await ctx.memory.search(user.id, { search: query, limit: 8 });
  const coll = surfacedOf(ctx, user.id);
  const recent = new Set((await coll.all()).filter((x) => Date.now() - x.at < s.cooldown_hours * 3_600_000).map((x) => x.memoryId));
  const out: Surfaced[] = [];
  for (const e of entries) {
    const r = relevance(query, e.content);
    if (r < s.threshold || recent.has(e.id)) continue;
    const item = await coll.put({ id: e.id, memoryId: e.id, text: e.content.slice(0, 500), relevance: Math.round(r * 100) / 100, at: Date.now(), pending: true });
    ctx.events.publish(user.id, { type: 'proactive', source: 'proactive', text: `You mentioned before: ${item.text}`, action: '', memoryId: e.id, relevance: item.relevance });
    out.push(item);
    if (out.length >= s.max_per_turn) break;
  }
  return out;
}

/** The user's latest messages in their AION session (what `proactive_check` looks at without a query). */
async function latestMessages(ctx: PluginContext<S>, userId: string): Promise<string> {
  const session = await ctx.agent.currentSession(userId);
  const msgs = (await ctx.conversations.forUser(userId).listMessages(session)) ?? [];
  return msgs.filter((m: any) => m.role === 'user' && typeof m.content === 'string' && !m.content.startsWith('/tool ')).slice(-5).map((m: any) => m.content).join('\n');
}

export default definePlugin({
  name: 'proactive',
  version: '1.0.0',
  description: 'Relevant past memories surfaced before a turn when they pass a threshold, pushed as proactive events; proactive_check, proactive_clear',
  settings: Settings,
  setup(ctx) {
    ctx.hooks.systemContext(async ({ user, message }) => {
      if (message.startsWith('/tool ')) return undefined;
      const found = await surface(ctx, user, message.slice(0, 2000)); // a huge message is not a better query
      return found.length ? `## Worth bringing up\nThese past memories match what the user said; mention them if useful:\n${found.map((f) => `- ${f.text}`).join('\n')}` : undefined;
    });
    ctx.tools.register({
      name: 'proactive_check',
      description: 'Look for relevant past memories now (for the given query, else the latest messages) and push them as suggestions.',
      input: z.object({ query: z.string().max(4000).optional() }),
      risk: 'read',
      run: async (a, call) => {
        const found = await surface(ctx, call.user, a.query ?? (await latestMessages(ctx, call.user.id)));
        const pending = (await surfacedOf(ctx, call.user.id).all()).filter((x) => x.pending);
        return { ok: true, suggestions_pushed: found.length, suggestions: found.map((f) => ({ text: f.text, relevance: f.relevance })), pending: pending.length, ...(found.length ? {} : { note: 'Nothing relevant found' }) };
      },
    });
    ctx.tools.register({
      name: 'proactive_clear',
      description: 'Clear the pending proactive suggestions (they may surface again after the cooldown).',
      input: z.object({}),
      risk: 'write',
      run: async (_a, call) => {
        const coll = surfacedOf(ctx, call.user.id);
        let cleared = 0;
        for (const x of await coll.all()) if (x.pending) { await coll.update(x.id, { pending: false }); cleared++; }
        return { ok: true, cleared };
      },
    });
  },
});
