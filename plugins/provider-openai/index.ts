/**
 * provider-openai: OpenAI (and OpenAI-compatible servers via `OPENAI_BASE_URL`) through Chat Completions — streaming
 * text, tool calls, and reasoning text where a compatible server streams it.
 */
import { openAIClient } from './client-cache.ts';
import { definePlugin } from '../../core/plugin-api/index.ts';
import { buildRequest } from './build-request.ts';
import { openAIEmbedder } from './embedder.ts';
import { API_KEY, BASE_URL, MODELS, readConfig } from './config.ts';
import { notConfigured } from '../../core/plugin-api/index.ts';
import { registerCustomProviders } from './custom-providers.ts';
import { streamChat } from './stream.ts';
import { PRESETS } from './presets.ts';

export default definePlugin({
  name: 'provider-openai',
  version: '1.0.0',
  description: 'OpenAI and OpenAI-compatible servers through Chat Completions',
  async setup(ctx) {
    ctx.providers.register({
      id: 'openai',
      label: 'OpenAI',
      prefixes: ['gpt', 'o1', 'o3', 'o4'],
      models: MODELS,
      envKeys: [API_KEY, BASE_URL],
      isConfigured: () => readConfig(ctx).apiKey !== undefined,
      stream(request, signal) {
        const client = () => {
          const { apiKey, baseURL } = readConfig(ctx);
          if (!apiKey) throw notConfigured(API_KEY);
          return openAIClient(apiKey, baseURL);
        };
        return streamChat(client, buildRequest(request), signal, ctx.log);
      },
    });
    ctx.embedders.register(openAIEmbedder(ctx));
    for (const preset of PRESETS) {
      ctx.providers.register({
        id: preset.id,
        label: preset.label,
        prefixes: preset.prefixes,
        models: preset.models,
        envKeys: [preset.keyName, preset.baseUrlName],
        isConfigured: () => ctx.secrets.has(preset.keyName),
        stream(request, signal) {
          const client = () => {
            const apiKey = ctx.secrets.get(preset.keyName);
            if (!apiKey) throw notConfigured(preset.keyName);
            return openAIClient(apiKey, ctx.secrets.get(preset.baseUrlName) || preset.defaultBaseUrl);
          };
          return streamChat(client, buildRequest(request), signal, ctx.log);
        },
      });
    }
    await registerCustomProviders(ctx);
  },
});
