/**
 * Focus manager: one current focus per user. It is added to the system prompt of each of that user's turns (through
 * `hooks.systemContext`), so the agent keeps working toward it across conversations and channels.
 */
import { z } from 'zod';
import { badRequest, definePlugin, type PluginContext } from '../../core/plugin-api/index.ts';

interface Focus { id: 'current'; task: string; setAt: number }

const focusOf = (ctx: PluginContext, userId: string) => ctx.store.forUser(userId).collection<Focus>('focus');

async function setFocus(ctx: PluginContext, userId: string, task: string) {
  const text = task.trim();
  if (!text) throw badRequest('No focus text given', undefined, 'INVALID_FOCUS');
  await focusOf(ctx, userId).put({ id: 'current', task: text, setAt: Date.now() });
  return { ok: true, focus: text, message: 'Focus set. It is part of every turn until cleared.' };
}

async function getFocus(ctx: PluginContext, userId: string) {
  const f = await focusOf(ctx, userId).get('current');
  return f ? { ok: true, current_focus: f.task, set_at: new Date(f.setAt).toISOString() } : { ok: true, current_focus: null, message: 'No focus set.' };
}

async function clearFocus(ctx: PluginContext, userId: string) {
  await focusOf(ctx, userId).delete('current');
  return { ok: true, message: 'Focus cleared.' };
}

const Task = z.object({ task: z.string().max(2000).describe('What the user is working on now') });

export default definePlugin({
  name: 'focus-manager',
  version: '1.0.0',
  description: "The user's current focus (focus_set/get/clear, /api/focus), added to the system prompt of every turn",
  setup(ctx) {
    ctx.tools.register({ name: 'focus_set', description: 'Set the current focus — the task the user is working on; it stays in view in every turn.', input: Task, risk: 'write', run: (a, call) => setFocus(ctx, call.user.id, a.task) });
    ctx.tools.register({ name: 'focus_get', description: 'Show the current focus.', input: z.object({}), risk: 'read', run: (_a, call) => getFocus(ctx, call.user.id) });
    ctx.tools.register({ name: 'focus_clear', description: 'Clear the current focus.', input: z.object({}), risk: 'write', run: (_a, call) => clearFocus(ctx, call.user.id) });

    ctx.hooks.systemContext(async ({ user }) => {
      const f = await focusOf(ctx, user.id).get('current');
      return f ? `## Current focus\nThe user's current focus (set ${new Date(f.setAt).toISOString()}): ${f.task}\nKeep it in view; help toward it unless the user changes the subject.` : undefined;
    });

    ctx.routes.get('/focus', { summary: "The caller's current focus" }, (_c, { user }) => getFocus(ctx, user.id));
    ctx.routes.put('/focus', { summary: 'Set the focus', body: Task.strict() }, (_c, { user, body }) => setFocus(ctx, user.id, body.task));
    ctx.routes.delete('/focus', { summary: 'Clear the focus' }, (_c, { user }) => clearFocus(ctx, user.id));
  },
});
