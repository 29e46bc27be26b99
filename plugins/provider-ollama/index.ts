/**
 * provider-ollama: local models through an Ollama server — streaming text, thinking and tool calls.
 *
 * Configured only when `OLLAMA_HOST` is set: Ollama needs no key, so "a key is present" cannot say whether a server
 * exists, and offering a provider that answers every request with "connection refused" would be worse than asking
 * for the host once. When called anyway (a model named `ollama/…` explicitly), it tries the default local address.
 */
import type { Ollama } from 'ollama';
import { ollamaEmbedder } from './embedder.ts';
import { definePlugin } from '../../core/plugin-api/index.ts';
import { buildRequest } from './build-request.ts';
import { configuredHost, DEFAULT_HOST, HOST, MODEL_PREFIX, MODELS } from './config.ts';
import { streamChat } from './stream.ts';

export default definePlugin({
  name: 'provider-ollama',
  version: '1.0.0',
  description: 'Local models through an Ollama server',
  setup(ctx) {
    ctx.providers.register({
      id: 'ollama',
      label: 'Ollama',
      prefixes: [MODEL_PREFIX],
      models: MODELS,
      envKeys: [HOST],
      acceptsAnyModel: true,
      isConfigured: () => configuredHost(ctx) !== undefined,
      async *stream(request, signal) {
        const host = configuredHost(ctx) ?? DEFAULT_HOST;
        // The client takes no AbortSignal per call, so every fetch it makes gets ours: that cuts the connection and
        // the stream promptly, and aborts only this call (the client's own `abort()` would end all of its calls).
        // The SDK is imported on first use, so loading the plugin (server start, reload) stays fast.
        const { Ollama: OllamaClient } = await import('ollama');
        const client: Ollama = new OllamaClient({
          host,
          fetch: (input, init) => fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal }),
        });
        yield* streamChat(client, buildRequest(request), signal, host);
      },
    });
    ctx.embedders.register(ollamaEmbedder(ctx));
  },
});
