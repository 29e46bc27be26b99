/** Where this provider's settings come from. Read at every call so a key saved at run time works without a restart. */
import type { PluginContext } from '../../core/plugin-api/index.ts';

export const API_KEY = 'ANTHROPIC_API_KEY';
/** An origin (`https://api.anthropic.com`); the SDK appends `/v1/messages`. */
export const BASE_URL = 'ANTHROPIC_BASE_URL';

/**
 * Known models; the first is the default. Any `claude…` name works. (`claude-sonnet-4-5` is deprecated upstream and
 * Opus 4.1 retired, so they are not offered.)
 */
export const MODELS = ['claude-sonnet-4-6', 'claude-opus-4-7', 'claude-haiku-4-5', 'claude-sonnet-5', 'claude-opus-5'];

export interface AnthropicConfig {
  apiKey: string | undefined;
  baseURL: string | undefined;
}

/** The current key and base URL (the SDK's default origin when unset). */
export function readConfig(ctx: Pick<PluginContext, 'secrets'>): AnthropicConfig {
  return { apiKey: ctx.secrets.get(API_KEY), baseURL: ctx.secrets.get(BASE_URL) };
}
