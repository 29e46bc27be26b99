/**
 * `POST /tts` (user) → `{ ok, url, format }`; `GET /audio/:filename` (its owner only) with range support; the `speak`
 * tool. Another user's file is 404, never 403.
 */
import { z } from 'zod';
import type { PluginContext } from '../../core/plugin-api/index.ts';
import { AUDIO_TYPES, type AudioFiles } from './audio-files.ts';
import { sendFile } from './serve-range.ts';
import type { Settings } from './settings.ts';
import type { createSpeaker } from './speech.ts';

const Text = z.string().trim().min(1, 'text required').max(10_000);
const Voice = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'invalid voice id').optional();

export function registerRoutes(ctx: PluginContext<Settings>, files: AudioFiles, speak: ReturnType<typeof createSpeaker>): void {
  ctx.routes.post('/tts', { summary: 'Text to speech (ElevenLabs) → audio URL', body: z.object({ text: Text, voice: Voice }) }, async (_c, { body, user }) =>
    speak(user!.id, body.text, body.voice),
  );

  ctx.routes.get('/audio/:filename', { summary: 'Audio made by text-to-speech (owner only; Range supported)' }, async (c, { params, user }) => {
    const { file, size, ext } = await files.open(user!.id, String(params.filename));
    sendFile(c, file, size, AUDIO_TYPES[ext]);
  });

  ctx.tools.register({
    name: 'speak',
    description: 'Turn text into speech (ElevenLabs). Returns the URL of an MP3 the user can play.',
    input: z.object({ text: Text, voice: Voice }),
    risk: 'network',
    timeoutMs: 90_000,
    run: (args, call) => speak(call.user.id, args.text, args.voice, call.signal),
  });
}
