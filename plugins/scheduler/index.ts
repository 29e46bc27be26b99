/**
 * Scheduler: tasks at fixed times or intervals that run as agent turns of their owner, each in a conversation of its
 * own; the result goes to the owner's Telegram chat (when linked) and the `GET /api/events` push stream.
 */
import { definePlugin } from '../../core/plugin-api/index.ts';
import { registerRoutes } from './routes.ts';
import { ScheduleRunner } from './runner.ts';
import { ScheduleService } from './service.ts';
import { hostTimezone, SettingsSchema } from './settings.ts';
import { registerTools } from './tools.ts';

export default definePlugin({
  name: 'scheduler',
  version: '1.0.0',
  description: 'Scheduled tasks (fixed times or intervals) that run as agent turns of their owner and report by Telegram and push event',
  settings: SettingsSchema,
  async setup(ctx) {
    const runner = new ScheduleRunner(ctx);
    const service = new ScheduleService(ctx, runner);
    registerTools(ctx, service);
    registerRoutes(ctx, service);
    await runner.recover();
    runner.start();
    // The zone setting as stored (unset = the host's): the host's zone is only asked for when the setting changes.
    let timezone = ctx.settings.get().timezone;
    ctx.settings.onChange((s) => {
      runner.start(); // a new tick period
      if (s.timezone === timezone) return;
      const before = timezone ?? hostTimezone();
      timezone = s.timezone;
      if ((s.timezone ?? hostTimezone()) === before) return; // e.g. unset → the host's own zone by name
      void service.retime().catch((error) => ctx.log.warn({ error: String(error) }, 'scheduler: retime failed'));
    });
    ctx.onUnload(() => runner.stop());
  },
});
