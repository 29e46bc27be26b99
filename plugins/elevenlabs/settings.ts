/** This plugin's settings (`/api/config/settings` → `elevenlabs`). */
import { z } from 'zod';

export const SettingsSchema = z.object({
  /** Default voice when neither the request nor the runtime's `tts_voice` names one ("Rachel"). */
  voice_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default('21m00Tcm4TlvDq8ikWAM'),
  model_id: z.string().max(64).default('eleven_multilingual_v2'),
  /** Longer texts are cut (credits are charged per character). */
  max_chars: z.number().int().min(1).max(10_000).default(2_500),
  /** Audio files older than this are deleted. */
  max_age_hours: z.number().min(0.0001).max(24 * 30).default(24),
  cleanup_interval_minutes: z.number().min(0.01).max(1_440).default(60),
  /** How long a signed audio URL (for players that cannot send the token) stays valid. */
  audio_url_ttl_seconds: z.number().int().min(1).max(86_400).default(600),
});
export type Settings = z.infer<typeof SettingsSchema>;
