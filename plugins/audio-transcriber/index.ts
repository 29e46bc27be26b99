/**
 * Audio transcriber: `transcribe_audio(path)` for an audio file in the caller's workspace, and
 * `POST /api/audio/transcribe` with the audio as the raw body (`Content-Type: audio/…`, at most 25 MB — OpenAI's
 * limit) or JSON `{ path }`. Without a key it answers 503 `TRANSCRIBER_NOT_CONFIGURED`, saying what to set. Other
 * plugins (Telegram voice messages) use it as the `audio-transcriber` service.
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError, badRequest, definePlugin, notFound, type AudioTranscriberService, type PluginContext } from '../../core/plugin-api/index.ts';
import { isConfigured, transcribe, type Settings } from './engines.ts';

const MAX_BYTES = 25 * 1024 * 1024;
const EXT_TYPES: Record<string, string> = {
  '.mp3': 'audio/mpeg', '.mpga': 'audio/mpeg', '.m4a': 'audio/mp4', '.mp4': 'audio/mp4', '.wav': 'audio/wav',
  '.webm': 'audio/webm', '.ogg': 'audio/ogg', '.oga': 'audio/ogg', '.opus': 'audio/ogg', '.flac': 'audio/flac',
};
const SettingsSchema = z.object({
  engine: z.enum(['auto', 'openai', 'elevenlabs', 'gemini']).default('auto'),
  openai_model: z.string().max(100).default('gpt-4o-mini-transcribe'),
  elevenlabs_model: z.string().max(100).default('scribe_v1'),
  gemini_model: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/).default('gemini-2.5-flash'),
});
const Language = z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z]{2})?$/).optional().describe('ISO language code, e.g. "de"');

/** An audio file of the caller's workspace, read without following links out of it. */
async function workspaceAudio(ctx: PluginContext<Settings>, userId: string, rel: string) {
  const ext = path.extname(rel).toLowerCase();
  if (!EXT_TYPES[ext]) throw badRequest(`Not an audio file type: use ${Object.keys(EXT_TYPES).join(', ')}`, undefined, 'UNSUPPORTED_AUDIO');
  const root = await realpath(await ctx.workspace.root(userId));
  let real: string;
  try {
    real = await realpath(path.resolve(root, rel));
  } catch {
    throw notFound('No such file in your workspace');
  }
  if (real !== root && !real.startsWith(root + path.sep)) throw new AppError(400, 'PATH_OUTSIDE_WORKSPACE', 'The path is outside your workspace');
  const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    if ((await handle.stat()).size > MAX_BYTES) throw new AppError(413, 'PAYLOAD_TOO_LARGE', 'Audio over 25 MB');
    return { data: await handle.readFile(), filename: path.basename(real), mimeType: EXT_TYPES[ext] };
  } finally {
    await handle.close();
  }
}

async function rawBody(req: NodeJS.ReadableStream & { destroy(): void }): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BYTES) {
      req.destroy();
      throw new AppError(413, 'PAYLOAD_TOO_LARGE', 'Audio over 25 MB');
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

export default definePlugin({
  name: 'audio-transcriber',
  version: '1.0.0',
  description: 'Speech to text (OpenAI transcription, ElevenLabs speech-to-text or Gemini audio input): transcribe_audio and POST /api/audio/transcribe',
  settings: SettingsSchema,
  setup(ctx) {
    ctx.services.provide<AudioTranscriberService>('audio-transcriber', {
      isConfigured: () => isConfigured(ctx),
      transcribe: (audio, { language, signal }) => transcribe(ctx, audio, language, signal),
    });
    ctx.tools.register({
      name: 'transcribe_audio',
      description: 'Transcribe an audio file of the workspace (mp3, m4a, wav, webm, ogg, flac) to text.',
      input: z.object({ path: z.string().min(1).max(1024).describe('Path in the workspace'), language: Language }),
      risk: 'network',
      timeoutMs: 180_000,
      run: async (a, call) => transcribe(ctx, await workspaceAudio(ctx, call.user.id, a.path), a.language, call.signal),
    });
    ctx.routes.post('/audio/transcribe', { summary: 'Speech to text: raw audio body (Content-Type audio/…) or JSON { path }', query: z.object({ language: Language, filename: z.string().max(200).optional() }) }, async (c, { user, query }) => {
      const type = (c.get('content-type') || '').split(';')[0].trim().toLowerCase();
      let audio;
      if (type === 'application/json') {
        const body = z.object({ path: z.string().min(1).max(1024) }).safeParse((c.request as any).body);
        if (!body.success) throw badRequest('Give { path } of a workspace file, or send the audio itself', undefined, 'VALIDATION_ERROR');
        audio = await workspaceAudio(ctx, user.id, body.data.path);
      } else if (type.startsWith('audio/') || type === 'video/webm' || type === 'application/octet-stream') {
        const data = await rawBody(c.req);
        if (!data.length) throw badRequest('The audio is empty', undefined, 'UNSUPPORTED_AUDIO');
        const ext = Object.entries(EXT_TYPES).find(([, t]) => t === type)?.[0] ?? '.webm';
        audio = { data, filename: (query.filename ?? `audio${ext}`).replace(/[^\w.-]/g, '_'), mimeType: type };
      } else throw new AppError(415, 'UNSUPPORTED_AUDIO', 'Send the audio with an audio/* Content-Type, or JSON { path }');
      const controller = new AbortController();
      c.res.once('close', () => { if (!c.res.writableFinished) controller.abort(); }); // the client went away
      return transcribe(ctx, audio, query.language, controller.signal);
    });
  },
});
