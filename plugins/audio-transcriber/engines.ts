/**
 * Speech-to-text engines, each through its vendor's SDK: OpenAI's transcription endpoint (`OPENAI_API_KEY`,
 * `OPENAI_BASE_URL`), ElevenLabs speech-to-text (`ELEVENLABS_API_KEY`, `ELEVENLABS_BASE_URL`) and Gemini's audio
 * input (through provider-gemini's `gemini-audio` service, on its key or the connected Google account).
 */
import { AppError, providerError, type AudioTranscript, type GeminiAudioService, type PluginContext } from '../../core/plugin-api/index.ts';

export type Engine = 'openai' | 'elevenlabs' | 'gemini';

export interface Settings {
  engine: 'auto' | Engine;
  openai_model: string;
  elevenlabs_model: string;
  gemini_model: string;
}

export interface Audio {
  data: Buffer;
  filename: string;
  mimeType: string;
}

export type Transcript = AudioTranscript;

export const notConfigured = (engine?: Engine) =>
  new AppError(
    503,
    'TRANSCRIBER_NOT_CONFIGURED',
    engine
      ? `No transcriber is configured: the engine "${engine}" is chosen but ${engine === 'gemini' ? 'Gemini has no GEMINI_API_KEY or Google account' : `${engine === 'openai' ? 'OPENAI_API_KEY' : 'ELEVENLABS_API_KEY'} is not set`}`
      : 'No transcriber is configured: set OPENAI_API_KEY (OpenAI transcription), ELEVENLABS_API_KEY (ElevenLabs speech-to-text) or GEMINI_API_KEY (Gemini audio input)',
  );

const gemini = (ctx: PluginContext<Settings>) => ctx.services.use<GeminiAudioService>('gemini-audio');

/** Which engines have a credential now. */
function available(ctx: PluginContext<Settings>): Record<Engine, boolean> {
  return { openai: ctx.secrets.has('OPENAI_API_KEY'), elevenlabs: ctx.secrets.has('ELEVENLABS_API_KEY'), gemini: gemini(ctx)?.isConfigured() === true };
}

/** The chosen engine (setting `engine`), or with `auto` the first one configured: OpenAI, ElevenLabs, Gemini. */
export function pickEngine(ctx: PluginContext<Settings>): Engine {
  const { engine } = ctx.settings.get();
  const has = available(ctx);
  if (engine !== 'auto') {
    if (!has[engine]) throw notConfigured(engine);
    return engine;
  }
  const first = (['openai', 'elevenlabs', 'gemini'] as const).find((e) => has[e]);
  if (!first) throw notConfigured();
  return first;
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

async function viaGemini(ctx: PluginContext<Settings>, audio: Audio, language: string | undefined, signal: AbortSignal): Promise<Transcript> {
  const service = gemini(ctx);
  if (!service) throw notConfigured('gemini');
  const model = ctx.settings.get().gemini_model;
  const text = await service.transcribe({ data: audio.data, mimeType: audio.mimeType }, { model, language, signal });
  return { text, engine: 'gemini', model, ...(language ? { language } : {}) };
}

const ENGINES: Record<Engine, typeof openai> = { openai, elevenlabs, gemini: viaGemini };

export function transcribe(ctx: PluginContext<Settings>, audio: Audio, language: string | undefined, signal: AbortSignal): Promise<Transcript> {
  return ENGINES[pickEngine(ctx)](ctx, audio, language, signal);
}

/** True when a transcription would find its engine (the chosen one, or with `auto` any). */
export function isConfigured(ctx: PluginContext<Settings>): boolean {
  try {
    pickEngine(ctx);
    return true;
  } catch {
    return false;
  }
}
