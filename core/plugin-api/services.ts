/** The services and timers contracts: named services between plugins, timers counted on a generation. */


/**
 * Named services handed from one plugin to another. The providing plugin declares
 * `"capabilities": { "services": { "provide": ["name"] } }`, the using one `"use": ["name"]`.
 */
export interface ServicesApi {
  /** Offer `impl` under `name` (removed when this generation unloads; calls into it count as in flight). */
  provide<T extends object>(name: string, impl: T): void;
  /** The current implementation of `name`, looked up at each call (so a reload of the provider is picked up). */
  use<T>(name: string): T | undefined;
}

/** The `google-credentials` service (provided by `google-oauth`, used by `provider-gemini`). */
export interface GoogleCredentialsService {
  /** A valid OAuth access token for the Gemini API, or `undefined` when no Google account is connected. */
  accessToken(): string | undefined;
  /** The Google Cloud project calls are billed to (`x-goog-user-project`). */
  project(): string | undefined;
}

/**
 * The `outbound-address` service (provided by `web-tools`, used by `browser`): the one place that decides where an
 * outbound connection may go. Resolves `hostname`, refuses loopback, private, link-local and metadata addresses unless
 * an admin listed the host in `web_allow_private_hosts` (403 `PRIVATE_ADDRESS_BLOCKED`), and answers the address to
 * connect to (connect to exactly that one, so a second DNS answer cannot differ).
 */
export interface OutboundAddressService {
  approve(hostname: string): Promise<{ address: string; family: number }>;
}

/**
 * The `gemini-audio` service (provided by `provider-gemini`, used by `audio-transcriber`): speech to text through
 * Gemini's audio input (the audio inline in a `generateContent` request), on the provider's own credential — an API
 * key or the connected Google account.
 */
export interface GeminiAudioService {
  isConfigured(): boolean;
  /** The spoken words as text. Upstream failures throw coded `AppError`s. */
  transcribe(audio: { data: Buffer; mimeType: string }, options: { model: string; language?: string; signal: AbortSignal }): Promise<string>;
}

/** One transcript of the `audio-transcriber` service. */
export interface AudioTranscript {
  text: string;
  engine: 'openai' | 'elevenlabs' | 'gemini';
  model: string;
  language?: string;
}

/**
 * The `audio-transcriber` service (provided by `audio-transcriber`, used by `telegram` for voice messages): the
 * configured speech-to-text engine. Without one, `transcribe` throws 503 `TRANSCRIBER_NOT_CONFIGURED`.
 */
export interface AudioTranscriberService {
  isConfigured(): boolean;
  transcribe(audio: { data: Buffer; filename: string; mimeType: string }, options: { language?: string; signal: AbortSignal }): Promise<AudioTranscript>;
}

/** Opaque timer handle of `ctx.timers`. */
export type TimerHandle = unknown;

/** Timers whose callbacks run counted on this generation and that are cleared when it unloads. */
export interface TimersApi {
  setTimeout(fn: () => unknown, ms: number): TimerHandle;
  setInterval(fn: () => unknown, ms: number): TimerHandle;
  clear(handle: TimerHandle | undefined): void;
}
