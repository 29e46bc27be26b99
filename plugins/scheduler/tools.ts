/** The original's scheduler tools, on the caller's own schedules. */
import { z } from 'zod';
import type { PluginContext } from '../../core/plugin-api/index.ts';
import type { ScheduleService } from './service.ts';
import type { Settings } from './settings.ts';

const text = (max: number) => z.string().max(max);

export const AddInput = z.object({
  name: text(200).describe("Short name, e.g. 'Morning brief'"),
  task: text(10_000).describe('The full task AION should carry out'),
  time: text(10).optional().describe("Fixed time HH:MM, e.g. '08:00'. Either time or interval."),
  interval: text(100).optional().describe("Repeat interval, e.g. '30s', '5m', '2h30m', 'every 5 minutes'. Either interval or time."),
  days: text(200).optional().describe("With time only: 'täglich', 'werktags', 'weekend', 'mo,mi,fr' (default daily)"),
});

export function registerTools(ctx: PluginContext<Settings>, service: ScheduleService): void {
  ctx.tools.register({
    name: 'schedule_add',
    description: "Schedule a task AION runs automatically. Time mode: time='08:00', days='täglich|werktags|wochenende|mo,mi,fr'. Interval mode: interval='30s'|'5m'|'2h30m'|'every 5 minutes'. The result goes to the user's Telegram chat and the web panel.",
    input: AddInput,
    risk: 'write',
    run: (args, call) => service.add(call.user.id, args),
  });
  ctx.tools.register({
    name: 'schedule_list',
    description: 'List the scheduled tasks (time and interval tasks) with their last and next run.',
    input: z.object({}),
    risk: 'read',
    run: (_args, call) => service.list(call.user.id),
  });
  ctx.tools.register({
    name: 'schedule_remove',
    description: 'Delete a scheduled task by id or by name.',
    input: z.object({ id: text(100).optional().describe('Task id (from schedule_list)'), name: text(200).optional().describe('Task name instead of the id') }),
    risk: 'write',
    run: (args, call) => service.remove(call.user.id, args),
  });
  ctx.tools.register({
    name: 'schedule_toggle',
    description: 'Enable or disable a scheduled task without deleting it.',
    input: z.object({ id: text(100).describe('Task id'), enabled: z.boolean().optional().describe('true = enable, false = disable; omitted: toggle') }),
    risk: 'write',
    run: (args, call) => service.toggle(call.user.id, args.id, args.enabled),
  });
}
