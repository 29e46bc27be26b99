/**
 * Speech-to-text engines, each through its vendor's SDK: OpenAI's transcription endpoint (`OPENAI_API_KEY`,
 * `OPENAI_BASE_URL`) and ElevenLabs speech-to-text (`ELEVENLABS_API_KEY`, `ELEVENLABS_BASE_URL`).
 */
import { AppError, providerError, type PluginContext } from '../../core/plugin-api/index.ts';

export interface Settings {
  engine: 'auto' | 'openai' | 'elevenlabs';
  openai_model: string;
  elevenlabs_model: string;
}

export interface Audio {
  data: Buffer;
  filename: string;
  mimeType: string;
}

export interface Transcript {
  text: string;
  engine: 'openai' | 'elevenlabs';
  model: string;
  language?: string;
}

export const notConfigured = () =>
  new AppError(503, 'TRANSCRIBER_NOT_CONFIGURED', 'No transcriber is configured: set OPENAI_API_KEY (OpenAI transcription) or ELEVENLABS_API_KEY (ElevenLabs speech-to-text)');

export function pickEngine(ctx: PluginContext<Settings>): 'openai' | 'elevenlabs' {
  const { engine } = ctx.settings.get();
  const has = { openai: ctx.secrets.has('OPENAI_API_KEY'), elevenlabs: ctx.secrets.has('ELEVENLABS_API_KEY') };
  if (engine !== 'auto') {
    if (!has[engine]) throw notConfigured();
    return engine;
  }
  if (has.openai) return 'openai';
  if (has.elevenlabs) return 'elevenlabs';
  throw notConfigured();
}

async function openai(ctx: PluginContext<Settings>, audio: Audio, language: string | undefined, signal: AbortSignal): Promise<Transcript> {
  const { default: OpenAI, toFile } = await import('openai');
  const client = new OpenAI({ apiKey: ctx.secrets.get('OPENAI_API_KEY'), baseURL: ctx.secrets.get('OPENAI_BASE_URL') ?? null, maxRetries: 1, timeout: 120_000 });
  const model = ctx.settings.get().openai_model;
  try {
    const file = await toFile(audio.data, audio.filename, { type: audio.mimeType });
    const r = await client.audio.transcriptions.create({ file, model, ...(language ? { language } : {}) }, { signal });
    return { text: r.text, engine: 'openai', model, ...(language ? { language } : {}) };
  } catch (error) {
    throw providerError('OpenAI transcription', error);
  }
}

async function elevenlabs(ctx: PluginContext<Settings>, audio: Audio, language: string | undefined, signal: AbortSignal): Promise<Transcript> {
  const { ElevenLabsClient } = await import('@elevenlabs/elevenlabs-js');
  const client = new ElevenLabsClient({ apiKey: ctx.secrets.get('ELEVENLABS_API_KEY'), baseUrl: ctx.secrets.get('ELEVENLABS_BASE_URL') || undefined, maxRetries: 1, timeoutInSeconds: 120 });
  const model = ctx.settings.get().elevenlabs_model;
  try {
    const file = new File([new Uint8Array(audio.data)], audio.filename, { type: audio.mimeType });
    const r: any = await client.speechToText.convert({ file, modelId: model, ...(language ? { languageCode: language } : {}) }, { abortSignal: signal });
    return { text: String(r.text ?? ''), engine: 'elevenlabs', model, ...(r.languageCode ? { language: r.languageCode } : {}) };
  } catch (error) {
    throw providerError('ElevenLabs speech-to-text', error);
  }
}

export function transcribe(ctx: PluginContext<Settings>, audio: Audio, language: string | undefined, signal: AbortSignal): Promise<Transcript> {
  return pickEngine(ctx) === 'openai' ? openai(ctx, audio, language, signal) : elevenlabs(ctx, audio, language, signal);
}
