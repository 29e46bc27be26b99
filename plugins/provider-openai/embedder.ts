/** `openai:text-embedding-3-small` for memory search, on the same key and base URL as chat. */
import type OpenAI from 'openai';
import type { EmbedderDefinition, PluginContext } from '../../core/plugin-api/index.ts';
import { readConfig } from './config.ts';

export const EMBEDDING_MODEL = 'text-embedding-3-small';

export function openAIEmbedder(ctx: Pick<PluginContext, 'secrets'>): EmbedderDefinition {
  return {
    id: `openai:${EMBEDDING_MODEL}`,
    dims: 1536,
    isConfigured: () => readConfig(ctx).apiKey !== undefined,
    async embed(texts, signal) {
      const { apiKey, baseURL } = readConfig(ctx);
      const { default: OpenAIClient } = await import('openai');
      const client: OpenAI = new OpenAIClient({ apiKey, baseURL: baseURL ?? null });
      const res = await client.embeddings.create({ model: EMBEDDING_MODEL, input: texts }, { signal });
      return [...res.data].sort((a, b) => a.index - b.index).map((d) => Float32Array.from(d.embedding));
    },
  };
}
