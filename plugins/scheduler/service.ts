/** The operations the tools and the HTTP routes share, always on one user's schedules. */
import { badRequest, conflict, notFound, type PluginContext } from '../../core/plugin-api/index.ts';
import { schedulesOf } from './data.ts';
import type { ScheduleRunner } from './runner.ts';
import { newSchedule, nextDue, summary, timing, type Schedule, type ScheduleInput } from './schedule.ts';
import { zoneOf, type Settings } from './settings.ts';

export interface SchedulePatch {
  name?: string;
  task?: string;
  time?: string;
  interval?: string;
  days?: string;
  enabled?: boolean;
}

export class ScheduleService {
  constructor(private readonly ctx: PluginContext<Settings>, private readonly runner: ScheduleRunner) {}

  private limits() {
    const s = this.ctx.settings.get();
    return { timezone: zoneOf(s), minIntervalSeconds: s.min_interval_seconds };
  }

  private async require(userId: string, id: string): Promise<Schedule> {
    const s = await schedulesOf(this.ctx, userId).get(id);
    if (!s) throw notFound(`No schedule with id "${id}"`, 'SCHEDULE_NOT_FOUND');
    return s;
  }

  async add(userId: string, input: ScheduleInput) {
    const coll = schedulesOf(this.ctx, userId);
    if ((await coll.count()) >= this.ctx.settings.get().max_per_user) {
      throw conflict(`At most ${this.ctx.settings.get().max_per_user} schedules per user`, 'SCHEDULE_LIMIT');
    }
    const s = await coll.insert(newSchedule(input, this.limits()));
    const when = s.mode === 'interval' ? `runs every ${s.interval}` : `runs at ${s.time} (${s.days})`;
    return { ok: true, id: s.id, message: `Task "${s.name}" created — ${when}.`, schedule: summary(s) };
  }

  async list(userId: string) {
    const tasks = (await schedulesOf(this.ctx, userId).all()).map(summary);
    return { tasks, count: tasks.length, ...(tasks.length ? {} : { message: 'No scheduled tasks.' }) };
  }

  async get(userId: string, id: string) {
    return summary(await this.require(userId, id));
  }

  /** By id, or every schedule of that name (as the original). */
  async remove(userId: string, sel: { id?: string; name?: string }) {
    const id = sel.id?.trim();
    const name = sel.name?.trim();
    if (!id && !name) throw badRequest('Give id or name', undefined, 'INVALID_SCHEDULE');
    const removed = await schedulesOf(this.ctx, userId).deleteWhere((s) => (!!id && s.id === id) || (!!name && s.name === name));
    return { ok: removed > 0, removed };
  }

  async toggle(userId: string, id: string, enabled?: boolean) {
    const cur = await this.require(userId, id);
    return this.patch(userId, id, { enabled: enabled ?? !cur.enabled });
  }

  async patch(userId: string, id: string, patch: SchedulePatch) {
    const cur = await this.require(userId, id);
    const when = patch.time !== undefined || patch.interval !== undefined || patch.days !== undefined
      ? timing({
          time: patch.time ?? (patch.interval ? undefined : cur.time),
          interval: patch.interval ?? (patch.time ? undefined : cur.interval && String(cur.intervalSeconds) + 's'),
          days: patch.days ?? cur.days,
        }, this.limits())
      : {};
    const next: Schedule = {
      ...cur,
      ...when,
      name: patch.name?.trim() || cur.name,
      task: patch.task?.trim() || cur.task,
      enabled: patch.enabled ?? cur.enabled,
    };
    const timingChanged = Object.keys(when).length > 0 || next.enabled !== cur.enabled;
    if (timingChanged) next.nextRun = nextDue(next, Date.now(), this.limits().timezone);
    await schedulesOf(this.ctx, userId).put(next);
    return { ok: true, id, enabled: next.enabled, message: `Task ${next.enabled ? 'enabled' : 'disabled'}.`, schedule: summary(next) };
  }

  async runNow(userId: string, id: string) {
    await this.require(userId, id);
    const started = await this.runner.runNow(userId, id);
    if (!started) throw conflict('This task is running already', 'SCHEDULE_RUNNING');
    return { ok: true, started: true, conversationId: started.conversationId };
  }

  /** After a time-zone change, fixed-time schedules get their next due time again. */
  async retime(): Promise<void> {
    const { timezone } = this.limits();
    for (const userId of await this.ctx.store.usersWith('schedules')) {
      const coll = schedulesOf(this.ctx, userId);
      for (const s of await coll.all()) if (s.mode === 'time' && s.enabled) await coll.update(s.id, { nextRun: nextDue(s, Date.now(), timezone) });
    }
  }
}
