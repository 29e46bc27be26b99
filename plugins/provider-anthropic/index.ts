/**
 * provider-anthropic: Claude through the Messages API — streaming text, extended thinking (with signatures for the
 * next turn) and tool use.
 */
import { ClientCache } from './client-cache.ts';
import { definePlugin } from '../../core/plugin-api/index.ts';
import { buildRequest } from './build-request.ts';
import { API_KEY, MODELS, readConfig } from './config.ts';
import { notConfigured } from '../../core/plugin-api/index.ts';
import { streamMessages } from './stream.ts';

export default definePlugin({
  name: 'provider-anthropic',
  version: '1.0.0',
  description: 'Anthropic Claude models through the Messages API',
  setup(ctx) {
    const clients = new ClientCache();
    ctx.providers.register({
      id: 'anthropic',
      label: 'Anthropic',
      prefixes: ['claude'],
      models: MODELS,
      envKeys: [API_KEY],
      isConfigured: () => readConfig(ctx).apiKey !== undefined,
      stream(request, signal) {
        const client = async () => {
          const { apiKey, baseURL } = readConfig(ctx);
          if (!apiKey) throw notConfigured(API_KEY);
          return clients.get(apiKey, baseURL);
        };
        return streamMessages(client, buildRequest(request), signal);
      },
    });
  },
});
