/**
 * The original scheduler's input language: intervals ("30s", "5m", "2h30m", "alle 10 Minuten", "every 5 minutes"),
 * times ("08:00") and day lists ("täglich", "werktags", "weekend", "mo,mi,fr", "Monday, Friday"). Fixed times become
 * a croner pattern; croner does the calendar and time-zone arithmetic.
 */
import { Cron } from 'croner';

const UNIT_SECONDS: Array<[RegExp, number]> = [
  [/^(s|sec|secs|second|seconds|sek|sekunde|sekunden)$/, 1],
  [/^(m|min|mins|minute|minutes|minuten)$/, 60],
  [/^(h|hr|hrs|hour|hours|std|stunde|stunden)$/, 3600],
  [/^(d|day|days|tag|tage|tagen)$/, 86_400],
];

/** Seconds of an interval text, or `undefined` when it is not one. */
export function parseInterval(text: string): number | undefined {
  let s = text.trim().toLowerCase().replace(/^(alle|every|jede[rns]?|jeden)\s+/, '');
  if (!s) return undefined;
  if (/^\d+$/.test(s)) s += 'm'; // a bare number means minutes, as in the original
  const parts = [...s.matchAll(/(\d+(?:[.,]\d+)?)\s*([a-zäöü]+)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('').replace(/\s+/g, '') !== s.replace(/\s+|,|und|and/g, '')) return undefined;
  let total = 0;
  for (const [, amount, unit] of parts) {
    const factor = UNIT_SECONDS.find(([re]) => re.test(unit))?.[1];
    if (!factor) return undefined;
    total += Number(amount.replace(',', '.')) * factor;
  }
  total = Math.round(total);
  return total > 0 ? total : undefined;
}

/** "2h 30m", "45s" — the interval as people read it. */
export function formatInterval(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h && `${h}h`, m && `${m}m`, s && `${s}s`].filter(Boolean).join(' ') || '0s';
}

/** Cron day-of-week numbers (0 = Sunday). */
const DAY_NAMES: Record<string, number> = {};
const addDay = (n: number, ...names: string[]) => names.forEach((name) => (DAY_NAMES[name] = n));
addDay(1, 'mo', 'mon', 'montag', 'monday');
addDay(2, 'di', 'tue', 'tues', 'dienstag', 'tuesday');
addDay(3, 'mi', 'wed', 'mittwoch', 'wednesday');
addDay(4, 'do', 'thu', 'thur', 'thurs', 'donnerstag', 'thursday');
addDay(5, 'fr', 'fri', 'freitag', 'friday');
addDay(6, 'sa', 'sat', 'samstag', 'saturday');
addDay(0, 'so', 'sun', 'sonntag', 'sunday');
const DAY_GROUPS: Record<string, number[] | 'all'> = {
  täglich: 'all', taeglich: 'all', daily: 'all', 'jeden tag': 'all', 'every day': 'all', everyday: 'all', '': 'all',
  werktags: [1, 2, 3, 4, 5], weekdays: [1, 2, 3, 4, 5], wochentags: [1, 2, 3, 4, 5],
  wochenende: [0, 6], weekend: [0, 6], weekends: [0, 6],
};

/** The cron day-of-week field for a day text, or `undefined` when a part is not a day. */
export function parseDays(text: string): string | undefined {
  const s = text.trim().toLowerCase();
  const group = DAY_GROUPS[s];
  if (group === 'all') return '*';
  const days = new Set<number>();
  for (const part of group ? [] : s.split(/\s*(?:,|;|\/|\bund\b|\band\b|\s)\s*/).filter(Boolean)) {
    const g = DAY_GROUPS[part];
    if (g === 'all') return '*';
    if (g) g.forEach((d) => days.add(d));
    else if (part in DAY_NAMES) days.add(DAY_NAMES[part]);
    else return undefined;
  }
  for (const d of group ?? []) days.add(d);
  return days.size ? [...days].sort().join(',') : undefined;
}

/** "08:00" → [8, 0], or `undefined`. */
export function parseTime(text: string): [number, number] | undefined {
  const m = /^(\d{1,2})[:.](\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h <= 23 && min <= 59 ? [h, min] : undefined;
}

/** The croner pattern of a fixed-time schedule. */
export const cronPattern = (time: [number, number], dayField: string) => `0 ${time[1]} ${time[0]} * * ${dayField}`;

/** The next due time of a fixed-time pattern after `from`, in `timezone`. */
export function nextCronRun(pattern: string, timezone: string, from: Date): number | null {
  const job = new Cron(pattern, { timezone, paused: true });
  try {
    return job.nextRun(from)?.getTime() ?? null;
  } finally {
    job.stop();
  }
}
