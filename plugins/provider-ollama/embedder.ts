/** `ollama:nomic-embed-text` (768 dimensions) for memory search, on the configured Ollama server. */
import type { Ollama } from 'ollama';
import type { EmbedderDefinition, PluginContext } from '../../core/plugin-api/index.ts';
import { configuredHost, DEFAULT_HOST } from './config.ts';

export const EMBEDDING_MODEL = 'nomic-embed-text';

export function ollamaEmbedder(ctx: Pick<PluginContext, 'secrets'>): EmbedderDefinition {
  return {
    id: `ollama:${EMBEDDING_MODEL}`,
    dims: 768,
    isConfigured: () => configuredHost(ctx) !== undefined,
    async embed(texts, signal) {
      const { Ollama: OllamaClient } = await import('ollama');
      const client: Ollama = new OllamaClient({
        host: configuredHost(ctx) ?? DEFAULT_HOST,
        fetch: (input, init) => fetch(input, { ...init, signal: signal && init?.signal ? AbortSignal.any([init.signal, signal]) : signal ?? init?.signal }),
      });
      const res = await client.embed({ model: EMBEDDING_MODEL, input: texts });
      return res.embeddings.map((e) => Float32Array.from(e));
    },
  };
}
