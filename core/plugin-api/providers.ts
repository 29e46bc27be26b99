/** The providers contract: an LLM provider (models, configuration, streaming) and an embedder. */
import type { ChatMessage, JsonSchema, ProviderEvent, User } from './common.ts';

/** One model call as a provider receives it. */
export interface ProviderRequest {
  model: string;
  system?: string;
  messages: ChatMessage[];
  tools?: Array<{ name: string; description: string; inputSchema: JsonSchema }>;
  maxTokens: number;
  temperature?: number;
  /** Extended thinking with a token budget, when asked for. */
  thinking?: { budgetTokens: number };
  /** The signed-in user the call is made for (per-user state of a provider, e.g. a host program's working folder). */
  userId?: string;
}

/** An LLM provider. */
export interface ProviderDefinition {
  /** `echo`, `anthropic`, `openai`, `gemini`, `ollama`, `claude-cli`, … */
  id: string;
  label: string;
  /** Model-name prefixes that select this provider (`claude`, `gpt`, …). */
  prefixes: string[];
  /** Known models; the first is the default. */
  models: string[];
  /** Environment keys it reads (shown masked in `/api/keys`). */
  envKeys: string[];
  /** True when it can be used now (a key is set, a CLI is found, …). */
  isConfigured(): boolean;
  /** Accepts any model name (e.g. Ollama's local models) rather than only `models`. */
  acceptsAnyModel?: boolean;
  /**
   * Who may use it: `everyone` (the default), `admin` (admins only), or a function that decides for a plain user
   * (admins always may). A provider that runs a host program outside the code sandbox (the Claude CLI) is not every
   * user's: the host answers other users' picks with 403 `PROVIDER_FORBIDDEN` and never chooses it for them.
   */
  access?: 'everyone' | 'admin' | ((user: User) => boolean);
  /** Stream one model call. Must stop promptly when `signal` aborts. */
  stream(request: ProviderRequest, signal: AbortSignal): AsyncIterable<ProviderEvent>;
}

/** Turns texts into vectors for memory search. */
export interface EmbedderDefinition {
  /** Stable id recorded with every vector, e.g. `local-ngram-256`, `openai:text-embedding-3-small`. */
  id: string;
  dims: number;
  isConfigured(): boolean;
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
}
