/**
 * Heartbeat: every `interval_seconds` a self-check — which plugins failed, how many todos each user has open. Users
 * with open todos and an open push stream get `{ type: "heartbeat", ts, todos_open }`; admins get a
 * `{ type: "warning", text }` when a plugin newly failed. The todo worker (`todo-worker.ts`) works on open todos as
 * agent turns. `heartbeat_last` reports the last beat.
 */
import { z } from 'zod';
import { definePlugin, type PluginContext } from '../../core/plugin-api/index.ts';
import { openTodosOf, TodoWorker } from './todo-worker.ts';

const Settings = z.object({
  interval_seconds: z.number().min(1).max(86_400).default(60),
  /** The original's todo worker: on by default, every 30 minutes (first after one interval). */
  todo_worker: z.boolean().default(true),
  todo_interval_seconds: z.number().min(1).max(7 * 86_400).default(1800),
});
type S = z.infer<typeof Settings>;

interface Beat { at: number; pluginsError: string[]; beats: number }

const openTodos = async (ctx: PluginContext<S>, userId: string): Promise<number> => (await openTodosOf(ctx, userId)).length;

async function beat(ctx: PluginContext<S>, state: { last?: Beat; warned: Set<string> }): Promise<void> {
  const failed = ctx.host.plugins().filter((p) => p.status === 'error');
  const now = Date.now();
  state.last = { at: now, pluginsError: failed.map((p) => p.name), beats: (state.last?.beats ?? 0) + 1 };
  await ctx.store.plugin.set('last', state.last);
  const fresh = failed.filter((p) => !state.warned.has(p.name));
  for (const p of failed) state.warned.add(p.name);
  for (const name of [...state.warned]) if (!failed.some((p) => p.name === name)) state.warned.delete(name);
  if (fresh.length) {
    for (const admin of (await ctx.auth.accounts.list()).filter((u) => u.isAdmin)) {
      ctx.events.publish(admin.id, { type: 'warning', source: 'heartbeat', text: `Plugin failed: ${fresh.map((p) => `${p.name} (${p.error ?? 'error'})`).join(', ')}` });
    }
  }
  for (const userId of await ctx.store.usersWith('todos')) {
    if (!ctx.events.listenerCount(userId)) continue;
    const open = await openTodos(ctx, userId);
    if (open) ctx.events.publish(userId, { type: 'heartbeat', ts: new Date(now).toISOString(), todos_open: open, text: `${open} open todo${open === 1 ? '' : 's'}` });
  }
}

export default definePlugin({
  name: 'heartbeat',
  version: '1.0.0',
  description: 'A periodic self-check (plugins, open todos) pushed as heartbeat and warning events; heartbeat_last',
  settings: Settings,
  async setup(ctx) {
    const state: { last?: Beat; warned: Set<string> } = { last: await ctx.store.plugin.get<Beat>('last'), warned: new Set() };
    const worker = new TodoWorker(ctx);
    let timer: NodeJS.Timeout | undefined;
    let running = false;
    let unloaded = false;
    const tick = async () => {
      if (running) return;
      running = true;
      try {
        await beat(ctx, state);
        await worker.beat(Date.now());
      } catch (error) {
        ctx.log.warn({ error: String((error as Error)?.message ?? error) }, 'heartbeat failed');
      } finally {
        running = false;
      }
    };
    const start = () => {
      if (timer) clearInterval(timer);
      if (!unloaded) timer = setInterval(() => void tick(), ctx.settings.get().interval_seconds * 1000).unref();
    };
    start();
    ctx.settings.onChange(start);
    ctx.onUnload(() => {
      unloaded = true;
      if (timer) clearInterval(timer);
      worker.stop();
    });

    ctx.tools.register({
      name: 'heartbeat_last',
      description: 'The last heartbeat: when it ran, failed plugins, the open todos of this user and the todo worker.',
      input: z.object({}),
      risk: 'read',
      run: async (_a, call) => {
        const s = ctx.settings.get();
        return {
          last_heartbeat: state.last ? new Date(state.last.at).toISOString() : null,
          beats: state.last?.beats ?? 0,
          ...(call.user.isAdmin ? { plugins_error: state.last?.pluginsError ?? [] } : {}),
          todos_open: await openTodos(ctx, call.user.id),
          interval_seconds: s.interval_seconds,
          next_at: state.last ? new Date(state.last.at + s.interval_seconds * 1000).toISOString() : null,
          todo_worker: s.todo_worker,
          worker_running: worker.isRunning(call.user.id),
          next_todo_check: s.todo_worker ? new Date(worker.nextCheckAt()!).toISOString() : null,
        };
      },
    });
  },
});
