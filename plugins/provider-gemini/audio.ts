/**
 * Speech to text through Gemini's audio input: the audio goes inline (base64 `inlineData`) into one
 * `generateContent` request with an instruction to write down what is said. Offered to other plugins as the
 * `gemini-audio` service, so the audio transcriber uses this provider's credential (key or Google account).
 */
import { AppError, providerError, type GeminiAudioService, type PluginContext } from '../../core/plugin-api/index.ts';
import { createGeminiClient, resolveGeminiAuth } from './auth.ts';
import { readBaseUrl } from './config.ts';

/** Gemini takes inline data up to 20 MB per request; base64 makes bytes a third larger. */
export const MAX_INLINE_AUDIO_BYTES = 14 * 1024 * 1024;

const instruction = (language?: string) =>
  'Transcribe this audio verbatim. Answer with the spoken words only: no introduction, no timestamps, no speaker labels, no translation.' +
  (language ? ` The speech is in the language with the code "${language}".` : '');

export function geminiAudio(ctx: Pick<PluginContext, 'secrets' | 'services'>): GeminiAudioService {
  return {
    isConfigured: () => resolveGeminiAuth(ctx) !== undefined,
    async transcribe(audio, { model, language, signal }) {
      const auth = resolveGeminiAuth(ctx);
      if (!auth) throw new AppError(503, 'TRANSCRIBER_NOT_CONFIGURED', 'Gemini is not configured: set GEMINI_API_KEY or connect a Google account');
      if (audio.data.length > MAX_INLINE_AUDIO_BYTES) throw new AppError(413, 'PAYLOAD_TOO_LARGE', 'Audio over 14 MB is too large for Gemini audio input');
      const client = await createGeminiClient(auth, readBaseUrl(ctx));
      let response: Awaited<ReturnType<typeof client.models.generateContent>>;
      try {
        response = await client.models.generateContent({
          model,
          contents: [{ role: 'user', parts: [{ inlineData: { mimeType: audio.mimeType, data: audio.data.toString('base64') } }, { text: instruction(language) }] }],
          config: { temperature: 0, abortSignal: signal },
        });
      } catch (error) {
        throw providerError('Gemini audio input', error);
      }
      const blocked = response.promptFeedback?.blockReason;
      if (blocked) throw new AppError(502, 'PROVIDER_BLOCKED', `Gemini blocked the audio (${blocked})`, { provider: 'Gemini' });
      return (response.text ?? '').trim();
    },
  };
}
