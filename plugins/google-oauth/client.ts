/**
 * Google's OAuth client (googleapis `google.auth.OAuth2`) with this deployment's client id, secret and endpoints.
 * The endpoints can be moved (`GOOGLE_OAUTH_AUTH_URL`, `GOOGLE_OAUTH_TOKEN_URL`, `GOOGLE_OAUTH_REVOKE_URL`) so tests
 * reach a local stand-in through the real library.
 *
 * Scopes: the Gemini API's OAuth quickstart authorises with `cloud-platform` plus
 * `generative-language.retriever`; `openid email` add the account's address for the status view. An operator can
 * replace the list with `GOOGLE_OAUTH_SCOPES` (space- or comma-separated).
 */
import type { SecretsApi } from '../../core/plugin-api/index.ts';

export const DEFAULT_SCOPES = [
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/generative-language.retriever',
  'openid',
  'email',
];

/** Client id and secret, or `undefined` when the operator has not set them. */
export function clientConfig(secrets: SecretsApi): { clientId: string; clientSecret: string } | undefined {
  // GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET are the original AION's names (its client looks for them): aliases.
  const clientId = secrets.get('GOOGLE_OAUTH_CLIENT_ID') ?? secrets.get('GOOGLE_CLIENT_ID');
  const clientSecret = secrets.get('GOOGLE_OAUTH_CLIENT_SECRET') ?? secrets.get('GOOGLE_CLIENT_SECRET');
  return clientId && clientSecret ? { clientId, clientSecret } : undefined;
}

export function scopes(): string[] {
  const raw = process.env.GOOGLE_OAUTH_SCOPES?.trim();
  return raw ? raw.split(/[\s,]+/).filter(Boolean) : DEFAULT_SCOPES;
}

/** The library's OAuth2 client type, without loading googleapis at startup. */
export type OAuth2 = InstanceType<typeof import('googleapis').google.auth.OAuth2>;

/** A fresh client (googleapis is loaded on first use: it is large and only needed around a connect or refresh). */
export async function createClient(secrets: SecretsApi, redirectUri?: string): Promise<OAuth2> {
  const config = clientConfig(secrets);
  if (!config) throw new Error('GOOGLE_OAUTH_CLIENT_ID and GOOGLE_OAUTH_CLIENT_SECRET are not set');
  const { google } = await import('googleapis');
  const endpoints: Record<string, string> = {};
  if (process.env.GOOGLE_OAUTH_AUTH_URL) endpoints.oauth2AuthBaseUrl = process.env.GOOGLE_OAUTH_AUTH_URL;
  if (process.env.GOOGLE_OAUTH_TOKEN_URL) endpoints.oauth2TokenUrl = process.env.GOOGLE_OAUTH_TOKEN_URL;
  if (process.env.GOOGLE_OAUTH_REVOKE_URL) endpoints.oauth2RevokeUrl = process.env.GOOGLE_OAUTH_REVOKE_URL;
  return new google.auth.OAuth2({ clientId: config.clientId, clientSecret: config.clientSecret, redirectUri, endpoints });
}

/** The `error` field of a token endpoint failure (`invalid_grant`, …), when there is one. */
export function oauthErrorCode(error: unknown): string | undefined {
  const e = error as { response?: { data?: { error?: unknown } }; message?: unknown };
  const code = e?.response?.data?.error;
  if (typeof code === 'string') return code;
  return typeof e?.message === 'string' && /^[a-z_]+$/.test(e.message) ? e.message : undefined;
}

/** The `email` claim of an ID token received straight from the token endpoint (TLS-authenticated, so not re-verified). */
export function emailFromIdToken(idToken: string | null | undefined): string | undefined {
  const payload = idToken?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims.email === 'string' ? claims.email : undefined;
  } catch {
    return undefined;
  }
}
