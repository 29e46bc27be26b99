/** One scheduled task as stored (per user) and how a new or edited one is validated and its next due time computed. */
import { randomUUID } from 'node:crypto';
import { badRequest } from '../../core/plugin-api/index.ts';
import { cronPattern, formatInterval, nextCronRun, parseDays, parseInterval, parseTime } from './parse.ts';

export interface Schedule {
  id: string;
  name: string;
  task: string;
  mode: 'interval' | 'time';
  intervalSeconds?: number;
  /** Readable interval ("2h 30m"). */
  interval?: string;
  /** "HH:MM" in the scheduler's time zone. */
  time?: string;
  days?: string;
  /** The croner pattern of a fixed-time schedule. */
  pattern?: string;
  enabled: boolean;
  createdAt: number;
  /** When the last run started (set before it runs, so a restart never repeats it). */
  lastRun: number | null;
  /** The next due time; `null` while disabled. */
  nextRun: number | null;
  lastStatus: 'running' | 'ok' | 'error' | 'interrupted' | null;
  lastResult?: string;
  lastError?: string;
  runs: number;
  /** The conversation its turns go to (one per schedule). */
  conversationId: string;
}

export interface ScheduleInput {
  name: string;
  task: string;
  time?: string;
  interval?: string;
  days?: string;
}

export interface Limits {
  timezone: string;
  minIntervalSeconds: number;
}

const invalid = (message: string) => badRequest(message, undefined, 'INVALID_SCHEDULE');

/** The when-fields of a schedule from its input (throws a 400 `INVALID_SCHEDULE` with a readable reason). */
export function timing(input: Pick<ScheduleInput, 'time' | 'interval' | 'days'>, limits: Limits): Pick<Schedule, 'mode' | 'intervalSeconds' | 'interval' | 'time' | 'days' | 'pattern'> {
  const time = input.time?.trim();
  const interval = input.interval?.trim();
  if (time && interval) throw invalid('Give either time or interval, not both');
  if (!time && !interval) throw invalid('Give a time ("08:00") or an interval ("5m", "every 5 minutes")');
  if (interval) {
    const seconds = parseInterval(interval);
    if (!seconds) throw invalid(`Interval "${interval}" is not readable; examples: "30s", "5m", "2h30m", "alle 10 Minuten"`);
    if (seconds < limits.minIntervalSeconds) throw invalid(`The shortest interval allowed is ${formatInterval(limits.minIntervalSeconds)}`);
    return { mode: 'interval', intervalSeconds: seconds, interval: formatInterval(seconds) };
  }
  const hm = parseTime(time!);
  if (!hm) throw invalid(`Time "${time}" is not valid; format HH:MM, e.g. "08:00"`);
  const days = input.days?.trim() || 'täglich';
  const dayField = parseDays(days);
  if (!dayField) throw invalid(`Days "${days}" not understood; e.g. "täglich", "werktags", "weekend", "mo,mi,fr"`);
  return { mode: 'time', time: `${String(hm[0]).padStart(2, '0')}:${String(hm[1]).padStart(2, '0')}`, days, pattern: cronPattern(hm, dayField) };
}

/** The next due time after `from` (ms), or `null` when disabled. */
export function nextDue(s: Pick<Schedule, 'mode' | 'intervalSeconds' | 'pattern' | 'enabled'>, from: number, timezone: string): number | null {
  if (!s.enabled) return null;
  if (s.mode === 'interval') return from + s.intervalSeconds! * 1000;
  return nextCronRun(s.pattern!, timezone, new Date(from));
}

export function newSchedule(input: ScheduleInput, limits: Limits, now = Date.now()): Schedule {
  const name = input.name.trim();
  const task = input.task.trim();
  if (!name) throw invalid('name is required');
  if (!task) throw invalid('task is required');
  const id = randomUUID().slice(0, 8);
  const base = { id, name, task, ...timing(input, limits), enabled: true, createdAt: now, lastRun: null, lastStatus: null, runs: 0, conversationId: `schedule-${id}` };
  return { ...base, nextRun: nextDue(base, now, limits.timezone) };
}

/** What lists show: the task cut to a preview, times as ISO strings. */
export function summary(s: Schedule) {
  return {
    id: s.id,
    name: s.name,
    task: s.task,
    mode: s.mode,
    ...(s.mode === 'interval' ? { interval: s.interval } : { time: s.time, days: s.days }),
    enabled: s.enabled,
    last_run: s.lastRun ? new Date(s.lastRun).toISOString() : null,
    next_run: s.nextRun ? new Date(s.nextRun).toISOString() : null,
    last_status: s.lastStatus,
    last_result: s.lastResult ?? null,
    last_error: s.lastError ?? null,
    runs: s.runs,
    conversationId: s.conversationId,
  };
}
