/**
 * OpenAI-compatible servers an admin added at run time (`/api/custom-providers`, stored by aion-control in the global
 * `custom-providers` collection): each becomes its own provider `custom-<name>` on this plugin's Chat Completions
 * machinery. Added or removed ones take effect when aion-control reloads this plugin.
 */
import type { PluginContext } from '../../core/plugin-api/index.ts';
import { buildRequest } from './build-request.ts';
import { openAIClient } from './client-cache.ts';
import { streamChat } from './stream.ts';

/** One stored server (the original's fields). */
export interface CustomProvider {
  id: string;
  name: string;
  base_url: string;
  api_key_env: string;
  models: string[];
  prefix: string;
}

export const CUSTOM_PROVIDERS = 'custom-providers';

export async function registerCustomProviders(ctx: PluginContext): Promise<void> {
  let list: CustomProvider[] = [];
  if (!ctx.store) return; // a bare context (provider unit tests) has no store: no custom providers
  try {
    list = await ctx.store.collection<CustomProvider>(CUSTOM_PROVIDERS).all();
  } catch (error) {
    ctx.log.warn({ error: String(error) }, 'custom providers could not be read');
  }
  for (const cp of list) {
    ctx.providers.register({
      id: cp.id,
      label: cp.name,
      prefixes: cp.prefix ? [cp.prefix] : [],
      models: cp.models,
      envKeys: cp.api_key_env ? [cp.api_key_env] : [],
      // A local server usually needs no key; one that names a key variable needs it set.
      isConfigured: () => !cp.api_key_env || ctx.secrets.has(cp.api_key_env),
      async *stream(request, signal) {
        const apiKey = (cp.api_key_env && ctx.secrets.get(cp.api_key_env)) || 'not-needed';
        yield* streamChat(() => openAIClient(apiKey, cp.base_url), buildRequest(request), signal, ctx.log);
      },
    });
  }
}
