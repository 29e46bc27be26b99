/**
 * How the Gemini client authenticates: an API key; else the OAuth token of the connected Google account, asked for
 * through the `google-credentials` service (the `google-oauth` plugin provides it — no environment or globals between
 * the two); else an access token set by hand as `GEMINI_OAUTH_ACCESS_TOKEN`.
 */
import type { GoogleGenAI, GoogleGenAIOptions } from '@google/genai';
import type { GoogleCredentialsService, PluginContext } from '../../core/plugin-api/index.ts';
import { API_KEY, API_KEY_ALIAS, OAUTH_TOKEN } from './config.ts';

/** The credential a call uses. */
export type GeminiAuth = { kind: 'apiKey'; apiKey: string } | { kind: 'oauth'; accessToken: string; project?: string };

/** The current credential: a key (`GEMINI_API_KEY`, else `GOOGLE_API_KEY`) wins over an OAuth token; none → `undefined`. */
export function resolveGeminiAuth(ctx: Pick<PluginContext, 'secrets'> & Partial<Pick<PluginContext, 'services'>>): GeminiAuth | undefined {
  const apiKey = ctx.secrets.get(API_KEY) ?? ctx.secrets.get(API_KEY_ALIAS);
  if (apiKey) return { kind: 'apiKey', apiKey };
  const google = ctx.services?.use<GoogleCredentialsService>('google-credentials');
  const granted = google?.accessToken();
  if (granted) return { kind: 'oauth', accessToken: granted, project: google?.project() ?? ctx.secrets.get('GOOGLE_CLOUD_PROJECT') };
  const accessToken = ctx.secrets.get(OAUTH_TOKEN);
  // Google bills OAuth calls to a project: it must be named in `x-goog-user-project`.
  if (accessToken) return { kind: 'oauth', accessToken, project: ctx.secrets.get('GOOGLE_CLOUD_PROJECT') };
  return undefined;
}

/** A client for one call. */
/** The SDK is imported on first use, so loading the plugin stays fast. */
export async function createGeminiClient(auth: GeminiAuth, baseUrl: string | undefined): Promise<GoogleGenAI> {
  const { GoogleGenAI } = await import('@google/genai');
  const options: GoogleGenAIOptions = {
    // Pinned: otherwise GOOGLE_GENAI_USE_VERTEXAI in the environment would silently switch to Vertex AI.
    vertexai: false,
    // Two attempts at most: the SDK's default backs off for up to a minute, too long for someone waiting on a chat.
    httpOptions: { ...(baseUrl ? { baseUrl } : {}), retryOptions: { attempts: 2 } },
  };
  if (auth.kind === 'apiKey') return new GoogleGenAI({ ...options, apiKey: auth.apiKey });
  // Without a key the SDK asks google-auth-library for headers. Handing it a ready client that only returns the bearer
  // header keeps the library from looking for application-default credentials. `GoogleAuth` returns a given
  // `authClient` as is, and only `getRequestHeaders` is called on it, so this small object is enough. (The SDK still
  // prints "API key should be set" once per client in this mode; harmless.)
  const headers: Record<string, string> = { Authorization: `Bearer ${auth.accessToken}` };
  if (auth.project) headers['x-goog-user-project'] = auth.project;
  const authClient = { getRequestHeaders: async () => new Headers(headers) };
  return new GoogleGenAI({
    ...options,
    googleAuthOptions: { authClient } as unknown as NonNullable<GoogleGenAIOptions['googleAuthOptions']>,
  });
}
