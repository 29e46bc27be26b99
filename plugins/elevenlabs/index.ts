/**
 * ElevenLabs text-to-speech: `POST /api/tts`, owner-only `GET /api/audio/:filename`, a `speak` tool, and — when the
 * runtime's `tts_engine` is `elevenlabs` — spoken AION replies on the web and Telegram channels. Files live in
 * `DATA_DIR/audio` and are deleted after `max_age_hours`.
 */
import path from 'node:path';
import { definePlugin } from '../../core/plugin-api/index.ts';
import { AudioFiles } from './audio-files.ts';
import { registerRoutes } from './routes.ts';
import { SettingsSchema } from './settings.ts';
import { AudioUrlSigner } from './signed-url.ts';
import { createSpeaker, speakable } from './speech.ts';

/** Channels whose clients can play audio. */
const SPEAKING_CHANNELS = /^(web|telegram)(_|$)/;
const FIRST_SWEEP_MS = 60_000;

export default definePlugin({
  name: 'elevenlabs',
  version: '1.0.0',
  description: 'ElevenLabs text-to-speech: /api/tts, owner-only /api/audio, a speak tool, optional spoken replies',
  settings: SettingsSchema,
  setup(ctx) {
    const files = new AudioFiles(path.join(ctx.host.dataDir, 'audio'), ctx.store);
    const signer = new AudioUrlSigner(ctx.store);
    const speak = createSpeaker(ctx, files, signer);
    registerRoutes(ctx, files, speak, signer);

    ctx.hooks.onDone(async (done, info) => {
      if (ctx.host.settings.get().tts_engine !== 'elevenlabs' || !ctx.secrets.has('ELEVENLABS_API_KEY')) return;
      if (!SPEAKING_CHANNELS.test(info.channel)) return;
      const text = speakable(done.text);
      if (!text) return;
      const { url, format, file } = await speak(info.user.id, text);
      done.media = [...(done.media ?? []), { type: 'audio', url, format, file }];
    });

    const cleanup = () =>
      files.cleanup(ctx.settings.get().max_age_hours * 3_600_000).then(
        (n) => n && ctx.log.info({ removed: n }, 'elevenlabs: old audio files deleted'),
        (error) => ctx.log.warn({ error: String(error) }, 'elevenlabs: cleanup failed'),
      );
    let timer: NodeJS.Timeout | undefined;
    let unloaded = false;
    const schedule = () => {
      if (timer) clearInterval(timer);
      if (unloaded) return; // settings listeners outlive a reload; a retired generation must not start timers
      timer = setInterval(cleanup, ctx.settings.get().cleanup_interval_minutes * 60_000).unref();
    };
    schedule();
    ctx.settings.onChange(schedule);
    // The first sweep a minute after start, not during it: it lists every user's audio records and the audio folder,
    // work a starting server does not need yet (issue #16).
    const firstSweep = setTimeout(() => void cleanup(), FIRST_SWEEP_MS).unref();
    ctx.onUnload(() => {
      unloaded = true;
      clearTimeout(firstSweep);
      if (timer) clearInterval(timer);
    });
  },
});
