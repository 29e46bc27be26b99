/** The scheduler's settings (`POST /api/config/settings { "scheduler": { … } }`). */
import { z } from 'zod';

/**
 * The host's IANA zone, resolved on first use: asking Intl maps ~7 MB of ICU locale and zone data into the process, so
 * it is not done at import or setup (issue #16) — only when a fixed time is read, or the zone is changed.
 */
let hostZone: string | undefined;
export const hostTimezone = () => (hostZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');

function isTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const SettingsSchema = z.object({
  /**
   * IANA zone fixed times are read in; unset means the host's (`zoneOf`). Not a schema default: the settings are read
   * at setup (the tick period), and a default would be resolved there, loading ICU into every server.
   */
  timezone: z.string().max(64).refine(isTimezone, 'unknown time zone').optional(),
  /** The shortest interval a user may schedule (each run is a model call). */
  min_interval_seconds: z.number().int().min(1).max(86_400).default(60),
  max_per_user: z.number().int().min(1).max(1000).default(50),
  /** How often due tasks are looked for. */
  tick_ms: z.number().int().min(200).max(60_000).default(1000),
  /** A run longer than this is stopped. */
  run_timeout_ms: z.number().int().min(1000).max(3_600_000).default(300_000),
});

export type Settings = z.infer<typeof SettingsSchema>;

/** The zone fixed times are read in: the setting, else the host's. */
export const zoneOf = (s: Pick<Settings, 'timezone'>): string => s.timezone ?? hostTimezone();
