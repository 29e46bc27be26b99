/** Each user's schedules: `DATA_DIR/store/schedules/<userId>.json`. */
import type { Collection, PluginContext } from '../../core/plugin-api/index.ts';
import type { Schedule } from './schedule.ts';

export const SCHEDULES = 'schedules';

export const schedulesOf = (ctx: PluginContext<any>, userId: string): Collection<Schedule> =>
  ctx.store.forUser(userId).collection<Schedule>(SCHEDULES);
