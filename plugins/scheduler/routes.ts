/** `GET/POST/PATCH/DELETE /api/schedules` and `POST /api/schedules/:id/run` — the caller's own schedules only. */
import { z } from 'zod';
import type { PluginContext } from '../../core/plugin-api/index.ts';
import type { ScheduleService } from './service.ts';
import type { Settings } from './settings.ts';
import { AddInput } from './tools.ts';

const Id = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
const Patch = AddInput.partial().extend({ enabled: z.boolean().optional() }).strict();

export function registerRoutes(ctx: PluginContext<Settings>, service: ScheduleService): void {
  ctx.routes.get('/schedules', { summary: "The caller's scheduled tasks" }, (_c, { user }) => service.list(user.id));
  ctx.routes.get('/schedules/:id', { summary: 'One scheduled task', params: Id }, (_c, { user, params }) => service.get(user.id, params.id));
  ctx.routes.post('/schedules', { summary: 'Schedule a task (time or interval)', body: AddInput.strict() }, async (c, { user, body }) => {
    const out = await service.add(user.id, body);
    c.status = 201;
    return out;
  });
  ctx.routes.patch('/schedules/:id', { summary: 'Edit or enable/disable a scheduled task', params: Id, body: Patch }, (_c, { user, params, body }) =>
    service.patch(user.id, params.id, body),
  );
  ctx.routes.delete('/schedules/:id', { summary: 'Delete a scheduled task', params: Id }, async (_c, { user, params }) => {
    const out = await service.remove(user.id, { id: params.id });
    if (!out.removed) await service.get(user.id, params.id); // → 404
    return out;
  });
  ctx.routes.post('/schedules/:id/run', { summary: 'Run a scheduled task now (in the background)', params: Id }, async (c, { user, params }) => {
    const out = await service.runNow(user.id, params.id);
    c.status = 202;
    return out;
  });
}
