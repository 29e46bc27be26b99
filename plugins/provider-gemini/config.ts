/** Where this provider's settings come from. Read at every call so a key saved at run time works without a restart. */
import type { PluginContext } from '../../core/plugin-api/index.ts';

export const API_KEY = 'GEMINI_API_KEY';
/** Google's generic name for the same key; used when `GEMINI_API_KEY` is not set. */
export const API_KEY_ALIAS = 'GOOGLE_API_KEY';
/** An OAuth access token (scope `generative-language` or `cloud-platform`), for sign-in instead of a key. */
export const OAUTH_TOKEN = 'GEMINI_OAUTH_ACCESS_TOKEN';
/** An origin (`https://generativelanguage.googleapis.com`); the SDK appends `/v1beta/models/…`. */
export const BASE_URL = 'GEMINI_BASE_URL';

/** Known models; the first is the default. Any `gemini…` name works. */
export const MODELS = ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.5-flash-lite', 'gemini-3-pro-preview', 'gemini-3-flash-preview'];

/** The base URL, or `undefined` for the SDK's default. */
export function readBaseUrl(ctx: Pick<PluginContext, 'secrets'>): string | undefined {
  return ctx.secrets.get(BASE_URL);
}
