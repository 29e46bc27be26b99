/**
 * Reflection: `reflect(thought, trigger?)` keeps the agent's inner thoughts per user. A near-duplicate of one of the
 * last entries is skipped; the newest few are added to each of that user's turns; each new one is pushed on
 * `GET /api/events` as `{ type: "thought", text, trigger }` (the thoughts panel); `GET /api/thoughts` lists them.
 */
import { z } from 'zod';
import { definePlugin } from '../../core/plugin-api/index.ts';
import { reflect, thoughtsOf } from './thoughts.ts';

const Settings = z.object({
  keep: z.number().int().min(1).max(1000).default(80),
  inject_last: z.number().int().min(0).max(20).default(3),
  duplicate_threshold: z.number().min(0).max(1).default(0.55),
});

export default definePlugin({
  name: 'reflection',
  version: '1.0.0',
  description: 'reflect(thought): inner thoughts per user, near-duplicates skipped, the latest added to each turn and pushed as thought events',
  settings: Settings,
  setup(ctx) {
    ctx.tools.register({
      name: 'reflect',
      description: "Write a genuine inner thought — a feeling, observation or insight after an experience, in the first person. Near-duplicates are skipped. Not for plans ('I will do X') or descriptions ('the user wants X').",
      input: z.object({
        thought: z.string().max(4000).describe('Your honest inner thought, first person'),
        trigger: z.string().max(100).optional().describe("What caused it, e.g. 'user_message', 'task_done', 'error', 'insight'"),
      }),
      risk: 'write',
      run: async (a, call) => {
        const s = ctx.settings.get();
        const out = await reflect(ctx, call.user.id, a.thought, a.trigger ?? 'general', { keep: s.keep, duplicateThreshold: s.duplicate_threshold, compareLast: 3 });
        if ('entry' in out && out.entry) {
          // In the chat where it was thought, and on the push stream for the user's other open clients.
          call.thought?.(out.entry.thought, out.entry.trigger);
          ctx.events.publish(call.user.id, { type: 'thought', text: out.entry.thought, trigger: out.entry.trigger, call_id: call.id });
          const { entry: _entry, ...rest } = out;
          return rest;
        }
        return out;
      },
    });

    ctx.hooks.systemContext(async ({ user }) => {
      const n = ctx.settings.get().inject_last;
      if (!n) return undefined;
      const recent = (await thoughtsOf(ctx, user.id).snapshot()).slice(-n);
      if (!recent.length) return undefined;
      return `## Your recent reflections\n${recent.map((t) => `- (${new Date(t.createdAt).toISOString().slice(0, 16)}, ${t.trigger}) ${t.thought}`).join('\n')}`;
    });

    ctx.routes.get('/thoughts', { summary: "The agent's thoughts for the caller, newest first", query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) }) }, async (_c, { user, query }) => {
      const all = await thoughtsOf(ctx, user.id).all();
      return { thoughts: all.reverse().slice(0, query.limit), count: all.length };
    });
  },
});
