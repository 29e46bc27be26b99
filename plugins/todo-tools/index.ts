/** Todo tools: each user's own list, through the agent (`todo_*`) and `/api/todos`. */
import { z } from 'zod';
import { definePlugin } from '../../core/plugin-api/index.ts';
import { TodoList } from './todos.ts';

const Task = z.object({ task: z.string().max(1000).describe('The task text (or its id)') });
const Id = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });

export default definePlugin({
  name: 'todo-tools',
  version: '1.0.0',
  description: 'A todo list per user: todo_add, todo_list, todo_done, todo_remove and /api/todos',
  setup(ctx) {
    const list = (userId: string) => new TodoList(ctx, userId);
    ctx.tools.register({ name: 'todo_add', description: 'Add a task to the todo list.', input: Task, risk: 'write', run: (a, call) => list(call.user.id).add(a.task) });
    ctx.tools.register({ name: 'todo_list', description: 'Show the open and done tasks.', input: z.object({}), risk: 'read', run: (_a, call) => list(call.user.id).list() });
    ctx.tools.register({ name: 'todo_done', description: 'Mark an open task done (exact text or id).', input: Task, risk: 'write', run: (a, call) => list(call.user.id).done(a.task) });
    ctx.tools.register({ name: 'todo_remove', description: 'Delete a task (exact text or id).', input: Task, risk: 'write', run: (a, call) => list(call.user.id).remove(a.task) });

    ctx.routes.get('/todos', { summary: "The caller's todos" }, (_c, { user }) => list(user.id).list());
    ctx.routes.post('/todos', { summary: 'Add a todo', body: Task.strict() }, async (c, { user, body }) => {
      const out = await list(user.id).add(body.task);
      c.status = 201;
      return out;
    });
    ctx.routes.patch('/todos/:id', { summary: 'Mark a todo done or open', params: Id, body: z.object({ done: z.boolean() }).strict() }, (_c, { user, params, body }) =>
      list(user.id).done(params.id, body.done),
    );
    ctx.routes.delete('/todos/:id', { summary: 'Delete a todo', params: Id }, (_c, { user, params }) => list(user.id).remove(params.id));
  },
});
