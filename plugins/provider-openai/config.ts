/** Where this provider's settings come from. Read at every call so a key saved at run time works without a restart. */
import type { PluginContext } from '../../core/plugin-api/index.ts';

export const API_KEY = 'OPENAI_API_KEY';
/** Ends in `/v1` (`https://api.openai.com/v1`, or any OpenAI-compatible server). */
export const BASE_URL = 'OPENAI_BASE_URL';

/** Known models; the first is the default. Any `gpt…`/`o1…`/`o3…`/`o4…` name works. */
export const MODELS = ['gpt-5.4', 'gpt-5.4-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4o', 'o4-mini', 'o3'];

export interface OpenAIConfig {
  apiKey: string | undefined;
  baseURL: string | undefined;
}

/** The current key and base URL (the SDK's default when unset). */
export function readConfig(ctx: Pick<PluginContext, 'secrets'>): OpenAIConfig {
  return { apiKey: ctx.secrets.get(API_KEY), baseURL: ctx.secrets.get(BASE_URL) };
}
