/**
 * Text → speech through the official ElevenLabs SDK (`textToSpeech.convert`), loaded on first use. The base URL can be
 * moved with `ELEVENLABS_BASE_URL` (tests reach a local stand-in through the real SDK).
 */
import { AppError, type SecretsApi } from '../../core/plugin-api/index.ts';

/** What one conversion produced. */
export interface Speech {
  data: Buffer;
  format: 'mp3';
}

/** ElevenLabs' output format we ask for, and what it is on disk. */
const OUTPUT_FORMAT = 'mp3_44100_128';

export function notConfigured(): AppError {
  return new AppError(400, 'TTS_NOT_CONFIGURED', 'Text-to-speech is not configured: set ELEVENLABS_API_KEY');
}

export async function synthesize(secrets: SecretsApi, input: { text: string; voiceId: string; modelId: string; signal?: AbortSignal }): Promise<Speech> {
  const apiKey = secrets.get('ELEVENLABS_API_KEY');
  if (!apiKey) throw notConfigured();
  const { ElevenLabsClient } = await import('@elevenlabs/elevenlabs-js');
  const client = new ElevenLabsClient({ apiKey, baseUrl: process.env.ELEVENLABS_BASE_URL || undefined, maxRetries: 1, timeoutInSeconds: 60 });
  try {
    const stream = await client.textToSpeech.convert(
      input.voiceId,
      { text: input.text, modelId: input.modelId, outputFormat: OUTPUT_FORMAT },
      { abortSignal: input.signal },
    );
    const chunks: Buffer[] = [];
    for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
    const data = Buffer.concat(chunks);
    if (!data.length) throw new AppError(502, 'TTS_FAILED', 'ElevenLabs returned no audio');
    return { data, format: 'mp3' };
  } catch (error: any) {
    if (error instanceof AppError) throw error;
    const status = typeof error?.statusCode === 'number' ? error.statusCode : undefined;
    // The SDK's message may quote the request; keep only the status and ElevenLabs' own explanation.
    const detail = error?.body?.detail?.message ?? error?.body?.detail?.status ?? (status ? `HTTP ${status}` : 'request failed');
    const code = status === 401 || status === 403 ? 'TTS_AUTH_FAILED' : status === 429 ? 'TTS_RATE_LIMITED' : 'TTS_FAILED';
    throw new AppError(502, code, `ElevenLabs: ${String(detail).slice(0, 300)}`, { upstreamStatus: status });
  }
}
