/**
 * Voice and audio messages: the file is fetched through the Bot API (`getFile`, then the file URL), handed to the
 * `audio-transcriber` service, the transcript shown in the chat ("🎤 …") and answered as a normal text turn — as the
 * original bot turned a voice message into the turn's text. Without a transcriber the chat is told how to get one.
 */
import { isAppError, type AudioTranscriberService, type PluginContext } from '../../core/plugin-api/index.ts';
import { splitMessage } from './format.ts';
import type { ReplyApi } from './reply.ts';

/** What a voice or audio message carries (Bot API `Voice` / `Audio`). */
export interface IncomingAudio {
  file_id: string;
  mime_type?: string;
  file_size?: number;
  file_name?: string;
}


/** Bots may download files up to 20 MB (Bot API `getFile`). */
export const MAX_VOICE_BYTES = 20 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 60_000;

export const NO_TRANSCRIBER =
  'Voice messages need a transcriber, and none is configured. An admin can set OPENAI_API_KEY, ELEVENLABS_API_KEY or GEMINI_API_KEY (audio-transcriber plugin). Please send your message as text meanwhile.';

/** A name and type the transcription APIs accept: Telegram's voice notes are `.oga`, which OpenAI refuses by name. */
function fileFor(audio: IncomingAudio): { filename: string; mimeType: string } {
  const mimeType = (audio.mime_type || 'audio/ogg').toLowerCase();
  const ext = mimeType.includes('mpeg') || mimeType.includes('mp3') ? 'mp3' : mimeType.includes('mp4') || mimeType.includes('m4a') ? 'm4a' : mimeType.includes('wav') ? 'wav' : mimeType.includes('webm') ? 'webm' : mimeType.includes('flac') ? 'flac' : 'ogg';
  const given = audio.file_name?.replace(/[^\w.-]/g, '_');
  return { filename: given && given.toLowerCase().endsWith(`.${ext}`) ? given : `voice.${ext}`, mimeType };
}

/** The audio-transcriber plugin's service when it is loaded and has an engine configured. */
export function transcriberOf(ctx: PluginContext<any>): AudioTranscriberService | undefined {
  const service = ctx.services.use<AudioTranscriberService>('audio-transcriber');
  return service?.isConfigured() ? service : undefined;
}

/** Fetch the file's bytes; the URL holds the bot token, so it is never logged or shown. */
async function download(api: ReplyApi, audio: IncomingAudio, signal: AbortSignal): Promise<Buffer> {
  const link = await api.getFileLink(audio.file_id);
  // A local Bot API server answers absolute paths (a file: URL): this server does not read them off its own disk.
  if (link.protocol !== 'https:' && link.protocol !== 'http:') throw new Error('the Bot API gave a file location that is not a web address');
  const res = await fetch(link, { signal: AbortSignal.any([signal, AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS)]), redirect: 'error' });
  if (!res.ok || !res.body) throw new Error(`the file download answered ${res.status}`);
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_VOICE_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new Error('the file is over 20 MB');
    }
    parts.push(value);
  }
  return Buffer.concat(parts);
}

/**
 * The words of a voice message, already shown to the chat; `undefined` when there is nothing to answer (no
 * transcriber, a failed download or transcription, silence) — the chat has been told why.
 */
export async function transcribeVoice(ctx: PluginContext<any>, api: ReplyApi, chatId: string, audio: IncomingAudio, signal: AbortSignal): Promise<string | undefined> {
  const transcriber = transcriberOf(ctx);
  if (!transcriber) {
    await api.sendMessage(chatId, NO_TRANSCRIBER);
    return undefined;
  }
  if ((audio.file_size ?? 0) > MAX_VOICE_BYTES) {
    await api.sendMessage(chatId, '⚠️ That voice message is too long: bots can fetch files up to 20 MB.');
    return undefined;
  }
  api.sendChatAction(chatId, 'typing').catch(() => undefined);
  let text: string;
  try {
    const data = await download(api, audio, signal);
    text = (await transcriber.transcribe({ data, ...fileFor(audio) }, { signal })).text.trim();
  } catch (error) {
    if (signal.aborted) return undefined;
    // Transcriber errors are coded with safe messages; anything else (the download) is summarised without the URL.
    const reason = isAppError(error) ? error.message : 'the voice message could not be downloaded';
    ctx.log.warn({ chatId, reason: isAppError(error) ? error.code : String((error as Error)?.message ?? error).replace(/bot[^/\s]+/g, 'bot***') }, 'telegram: voice message not transcribed');
    await api.sendMessage(chatId, `⚠️ I could not transcribe that voice message: ${reason}`);
    return undefined;
  }
  if (!text) {
    await api.sendMessage(chatId, '🎤 I could not make out any words in that voice message.');
    return undefined;
  }
  for (const part of splitMessage(`🎤 ${text}`)) await api.sendMessage(chatId, part);
  return text;
}
