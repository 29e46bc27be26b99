/**
 * `POST /tts` (user) → `{ ok, url, format }`; `GET /audio/:filename` (its owner only) with range support; the `speak`
 * tool. Another user's file is 404, never 403.
 */
import { z } from 'zod';
import { forbidden, unauthorized, type PluginContext } from '../../core/plugin-api/index.ts';
import { AUDIO_TYPES, type AudioFiles } from './audio-files.ts';
import { sendFile } from './serve-range.ts';
import type { AudioUrlSigner } from './signed-url.ts';
import type { Settings } from './settings.ts';
import type { createSpeaker } from './speech.ts';

const Text = z.string().trim().min(1, 'text required').max(10_000);
const Voice = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'invalid voice id').optional();

export function registerRoutes(ctx: PluginContext<Settings>, files: AudioFiles, speak: ReturnType<typeof createSpeaker>, signer: AudioUrlSigner): void {
  ctx.routes.post('/tts', { summary: 'Text to speech (ElevenLabs) → audio URL', body: z.object({ text: Text, voice: Voice }) }, async (_c, { body, user }) =>
    speak(user.id, body.text, body.voice),
  );

  // Public so a signed URL works in `<audio src>`; without a token it needs a valid, unexpired signature for this file.
  ctx.routes.get('/audio/:filename', {
    access: 'public',
    summary: 'Audio made by text-to-speech (its owner: token or signed URL; Range supported)',
    query: z.object({ exp: z.string().max(20).optional(), uid: z.string().max(200).optional(), sig: z.string().max(100).optional() }),
  }, async (c, { params, query, user }) => {
    const name = String(params.filename);
    let owner = user?.id;
    if (!owner) {
      if (!query.sig) throw unauthorized('Authentication required: a bearer token or a signed audio URL');
      const verdict = await signer.verify(name, query);
      if (!verdict.ok) throw forbidden(verdict.reason === 'expired' ? 'This audio link has expired' : 'Invalid audio link signature', verdict.reason === 'expired' ? 'URL_EXPIRED' : 'BAD_SIGNATURE');
      owner = verdict.userId;
    }
    const { file, size, ext } = await files.open(owner, name);
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
