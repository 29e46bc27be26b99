/**
 * The todo worker (the original heartbeat's): every `todo_interval_seconds` (first after one interval), each user with
 * open todos gets an agent turn that works through them — in one conversation of that user kept for it, channel
 * `heartbeat`, counted like a message — and the answer is pushed as a `proactive` event, the reminder. One run per user
 * at a time; users without open todos are left alone. Setting `todo_worker` (on by default, as in the original).
 */
import type { PluginContext, User } from '../../core/plugin-api/index.ts';

export interface WorkerSettings {
  todo_worker: boolean;
  todo_interval_seconds: number;
}

interface Todo {
  id: string;
  task: string;
  done: boolean;
}

/** At most this many open tasks are listed in the prompt (the model can call todo_list for the rest). */
const LISTED = 20;
const RUN_LIMIT_MS = 10 * 60_000;

export const openTodosOf = async (ctx: PluginContext<any>, userId: string): Promise<Todo[]> =>
  (await ctx.store.forUser(userId).collection<Todo>('todos').snapshot()).filter((t) => !t.done);

function prompt(open: Todo[]): string {
  const list = open.slice(0, LISTED).map((t) => `- [ ] ${t.task.replace(/\s+/g, ' ').slice(0, 300)} (id ${t.id})`).join('\n');
  return [
    `You have ${open.length} open todo${open.length === 1 ? '' : 's'}:`,
    list,
    'Work through the open tasks one by one. Mark each finished task with todo_done right away. If a task is too big for one turn, split it (todo_add) and note the progress.',
  ].join('\n');
}

export class TodoWorker {
  private lastCheck = Date.now();
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly ctx: PluginContext<WorkerSettings>) {}

  /** When the next check is due (`undefined` when the worker is off). */
  nextCheckAt(): number | undefined {
    const s = this.ctx.settings.get();
    return s.todo_worker ? this.lastCheck + s.todo_interval_seconds * 1000 : undefined;
  }

  isRunning(userId: string): boolean {
    return this.running.has(userId);
  }

  /** Called on every heartbeat: start the due runs (not awaited: a run may take minutes). */
  async beat(now: number): Promise<void> {
    const due = this.nextCheckAt();
    if (due === undefined || now < due) return;
    this.lastCheck = now;
    for (const userId of await this.ctx.store.usersWith('todos')) {
      if (this.running.has(userId)) continue;
      const open = await openTodosOf(this.ctx, userId);
      if (open.length) void this.work(userId, open);
    }
  }

  stop(): void {
    for (const c of this.running.values()) c.abort(new Error('heartbeat unloaded'));
  }

  /** The user's todo conversation, made on first use and kept (so a run sees what earlier runs did). */
  private async conversation(user: User): Promise<string> {
    const key = `todo-conversation:${user.id}`;
    const known = await this.ctx.store.plugin.get<string>(key);
    const conversations = this.ctx.conversations.forUser(user.id);
    if (known && (await conversations.has(known))) return known;
    const created = await conversations.create({ title: 'Todos (heartbeat)', mode: 'aion', metadata: { channel: 'heartbeat' } });
    await this.ctx.store.plugin.set(key, created.id);
    return created.id;
  }

  private async work(userId: string, open: Todo[]): Promise<void> {
    const controller = new AbortController();
    this.running.set(userId, controller);
    const timer = setTimeout(() => controller.abort(new Error('the todo run took too long')), RUN_LIMIT_MS);
    try {
      const user = await this.ctx.auth.getUser(userId);
      if (!user) return;
      await this.ctx.auth.consumeChat(user); // counted like a message: a plan at its limit skips this run
      const conversationId = await this.conversation(user);
      const outcome = await this.turn(user, conversationId, open, controller.signal);
      const left = (await openTodosOf(this.ctx, userId)).length;
      this.ctx.events.publish(userId, {
        type: 'proactive', source: 'heartbeat', ok: outcome.ok, conversationId, todos_open: left,
        text: outcome.ok ? `📝 Todos (${open.length} open): ${outcome.text}` : `📝 Working on your todos failed: ${outcome.text}`,
      });
    } catch (error) {
      this.ctx.log.info({ userId, reason: String((error as Error)?.message ?? error) }, 'heartbeat: todo run skipped');
    } finally {
      clearTimeout(timer);
      this.running.delete(userId);
    }
  }

  private async turn(user: User, conversationId: string, open: Todo[], signal: AbortSignal): Promise<{ ok: boolean; text: string }> {
    let text = '';
    const system = 'This turn was started by the heartbeat to work on the open todos. Nobody is watching it: do what you can and answer with a short report.';
    for await (const e of this.ctx.agent.run({ user, conversationId, message: prompt(open), system, signal, channel: 'heartbeat' })) {
      if (e.type === 'text') text += e.delta;
      else if (e.type === 'done') return e.stopReason === 'aborted' ? { ok: false, text: 'the run was stopped' } : { ok: true, text: (e.text || text).slice(0, 4000) };
      else if (e.type === 'error') return { ok: false, text: e.message };
    }
    return { ok: false, text: 'the run ended without an answer' };
  }
}
