/** One user's todo list (`DATA_DIR/store/todos/<userId>.json`). Tasks are found by id or by their text. */
import { randomUUID } from 'node:crypto';
import { badRequest, conflict, notFound, type PluginContext } from '../../core/plugin-api/index.ts';

export interface Todo {
  id: string;
  task: string;
  done: boolean;
  createdAt: number;
  doneAt: number | null;
}

export const MAX_TODOS = 1000;

const norm = (s: string) => s.trim().replace(/^- \[[ xX]\]\s*/, '').toLowerCase();

export class TodoList {
  constructor(private readonly ctx: PluginContext, private readonly userId: string) {}

  private get coll() {
    return this.ctx.store.forUser(this.userId).collection<Todo>('todos');
  }

  async add(task: string) {
    const text = task.trim().replace(/^- \[[ xX]\]\s*/, '');
    if (!text) throw badRequest('No task text given', undefined, 'INVALID_TODO');
    if ((await this.coll.count()) >= MAX_TODOS) throw conflict(`At most ${MAX_TODOS} todos`, 'TODO_LIMIT');
    const todo = await this.coll.insert({ id: randomUUID().slice(0, 8), task: text, done: false, createdAt: Date.now(), doneAt: null });
    return { ok: true, id: todo.id, task: todo.task };
  }

  async list() {
    const all = await this.coll.all();
    const open = all.filter((t) => !t.done);
    const done = all.filter((t) => t.done);
    return { open, done, count: all.length, message: open.length ? `${open.length} open` : 'No open tasks.' };
  }

  /** By id, else by text (exact, case-insensitive, `- [ ] ` prefix ignored). */
  private async find(ref: string, onlyOpen: boolean): Promise<Todo> {
    const key = norm(ref);
    const all = await this.coll.all();
    const hit = all.find((t) => t.id === ref.trim()) ?? all.find((t) => norm(t.task) === key && (!onlyOpen || !t.done));
    if (!hit) throw notFound(`${onlyOpen ? 'Open task' : 'Task'} not found: ${ref.trim()}`, 'TODO_NOT_FOUND');
    return hit;
  }

  async done(ref: string, done = true) {
    const todo = await this.find(ref, done);
    await this.coll.update(todo.id, { done, doneAt: done ? Date.now() : null });
    return { ok: true, id: todo.id, done: todo.task };
  }

  async remove(ref: string) {
    const todo = await this.find(ref, false);
    await this.coll.delete(todo.id);
    return { ok: true, id: todo.id, removed: todo.task };
  }
}
