/**
 * The one way this plugin speaks: pick the voice, convert, save the file for its owner, answer its URL. Used by the
 * route, the `speak` tool and spoken replies alike.
 */
import type { PluginContext } from '../../core/plugin-api/index.ts';
import type { AudioFiles } from './audio-files.ts';
import type { AudioUrlSigner } from './signed-url.ts';
import type { Settings } from './settings.ts';
import { synthesize } from './synthesize.ts';

export interface SpeakResult {
  ok: true;
  url: string;
  format: string;
  /** Where the audio is on this server (for channels that upload it). */
  file: string;
}

const VOICE = /^[A-Za-z0-9_-]{1,64}$/;

export function createSpeaker(ctx: PluginContext<Settings>, files: AudioFiles, signer: AudioUrlSigner) {
  /** The voice to use: the caller's, else the runtime's `tts_voice`, else this plugin's default. */
  const voiceFor = (voice?: string) => {
    const global = String(ctx.host.settings.get().tts_voice ?? '');
    return [voice, global, ctx.settings.get().voice_id].find((v): v is string => !!v && VOICE.test(v)) ?? ctx.settings.get().voice_id;
  };
  return async function speak(userId: string, text: string, voice?: string, signal?: AbortSignal): Promise<SpeakResult> {
    const voiceId = voiceFor(voice);
    const clipped = text.slice(0, ctx.settings.get().max_chars);
    const speech = await synthesize(ctx.secrets, { text: clipped, voiceId, modelId: ctx.settings.get().model_id, signal });
    const name = await files.save(userId, speech.data, { format: speech.format, voice: voiceId, chars: clipped.length });
    // Signed, so a player without the token (`<audio src>`) can load it; short-lived, bound to this user and file.
    const url = await signer.sign(userId, name, ctx.settings.get().audio_url_ttl_seconds * 1000);
    return { ok: true, url, format: speech.format, file: files.pathOf(name) };
  };
}

/** Text worth speaking from a reply: code blocks and markdown marks removed. */
export function speakable(text: string): string {
  return text
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_#>~|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
