/** `gemini:gemini-embedding-001` (768 dimensions) for memory search, on the same credential as chat. */
import type { EmbedderDefinition, PluginContext } from '../../core/plugin-api/index.ts';
import { createGeminiClient, resolveGeminiAuth } from './auth.ts';
import { readBaseUrl } from './config.ts';

export const EMBEDDING_MODEL = 'gemini-embedding-001';
const DIMS = 768;

export function geminiEmbedder(ctx: Pick<PluginContext, 'secrets'>): EmbedderDefinition {
  return {
    id: `gemini:${EMBEDDING_MODEL}`,
    dims: DIMS,
    isConfigured: () => resolveGeminiAuth(ctx) !== undefined,
    async embed(texts, signal) {
      const auth = resolveGeminiAuth(ctx);
      if (!auth) throw new Error('Gemini is not configured');
      const client = await createGeminiClient(auth, readBaseUrl(ctx));
      const res = await client.models.embedContent({ model: EMBEDDING_MODEL, contents: texts, config: { outputDimensionality: DIMS, abortSignal: signal } });
      return (res.embeddings ?? []).map((e) => Float32Array.from(e.values ?? []));
    },
  };
}
