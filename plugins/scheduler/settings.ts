/** The scheduler's settings (`POST /api/config/settings { "scheduler": { … } }`). */
import { z } from 'zod';

const hostTimezone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

function isTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const SettingsSchema = z.object({
  /** IANA zone fixed times are read in; default the host's. */
  timezone: z.string().max(64).refine(isTimezone, 'unknown time zone').default(hostTimezone()),
  /** The shortest interval a user may schedule (each run is a model call). */
  min_interval_seconds: z.number().int().min(1).max(86_400).default(60),
  max_per_user: z.number().int().min(1).max(1000).default(50),
  /** How often due tasks are looked for. */
  tick_ms: z.number().int().min(200).max(60_000).default(1000),
  /** A run longer than this is stopped. */
  run_timeout_ms: z.number().int().min(1000).max(3_600_000).default(300_000),
});

export type Settings = z.infer<typeof SettingsSchema>;
