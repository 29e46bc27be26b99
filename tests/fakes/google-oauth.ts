/**
 * A stand-in for Google's OAuth 2.0 token and revoke endpoints (`oauth2.googleapis.com/token`, `/revoke`), speaking
 * their wire format: form-encoded requests, JSON answers, `{ error, error_description }` on failure. The real
 * googleapis client reaches it through `GOOGLE_OAUTH_TOKEN_URL` / `GOOGLE_OAUTH_REVOKE_URL`.
 *
 * ```ts
 * const google = await startFakeGoogleOAuth({ clientId: 'cid', clientSecret: 'csecret' });
 * const code = google.issueCode(codeChallengeFromTheConsentUrl, { expiresIn: 3600 });
 * // GET /api/oauth/google/callback?code=<code>&state=<state> → the server exchanges it here (PKCE verified)
 * google.revokeAll();                      // later refreshes answer invalid_grant
 * ```
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeGoogleOAuth {
  url: string;
  /** Env for the server: token, revoke and auth URLs, client id and secret. */
  env: Record<string, string>;
  /** Every request: path and form fields. */
  requests: Array<{ path: string; form: Record<string, string> }>;
  /** A one-time authorization code bound to a PKCE challenge. */
  issueCode(codeChallenge: string, opts?: { expiresIn?: number; email?: string }): string;
  /** Refuse every refresh token issued so far (`invalid_grant`). */
  revokeAll(): void;
  close(): Promise<void>;
}

const b64url = (b: Buffer) => b.toString('base64url');

/** An unsigned ID token carrying `email` (the server reads it, Google would sign it). */
function idToken(email: string, clientId: string): string {
  const part = (o: object) => b64url(Buffer.from(JSON.stringify(o)));
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ iss: 'https://accounts.google.com', aud: clientId, email, email_verified: true, sub: '1234567890' })}.${b64url(randomBytes(16))}`;
}

export async function startFakeGoogleOAuth(opts: { clientId: string; clientSecret: string; scope?: string }): Promise<FakeGoogleOAuth> {
  const codes = new Map<string, { challenge: string; expiresIn: number; email: string }>();
  const refresh = new Map<string, { expiresIn: number; revoked: boolean }>();
  const requests: FakeGoogleOAuth['requests'] = [];
  const scope = opts.scope ?? 'https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/generative-language.retriever openid https://www.googleapis.com/auth/userinfo.email';

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    for (const [k, v] of url.searchParams) form[k] ??= v;
    requests.push({ path: url.pathname, form });
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const fail = (status: number, error: string, description: string) => json(status, { error, error_description: description });

    if (url.pathname === '/revoke') {
      const r = refresh.get(form.token);
      if (r) r.revoked = true;
      return json(200, {});
    }
    if (url.pathname !== '/token' || req.method !== 'POST') return fail(404, 'not_found', 'Not found');
    if (form.client_id !== opts.clientId || form.client_secret !== opts.clientSecret) return fail(401, 'invalid_client', 'The OAuth client was not found.');

    if (form.grant_type === 'authorization_code') {
      const issued = codes.get(form.code);
      codes.delete(form.code);
      if (!issued) return fail(400, 'invalid_grant', 'Malformed auth code.');
      if (!form.code_verifier || b64url(createHash('sha256').update(form.code_verifier).digest()) !== issued.challenge) {
        return fail(400, 'invalid_grant', 'Invalid code verifier.');
      }
      if (!form.redirect_uri) return fail(400, 'redirect_uri_mismatch', 'Bad Request');
      const refreshToken = `1//fake-refresh-${b64url(randomBytes(12))}`;
      refresh.set(refreshToken, { expiresIn: issued.expiresIn, revoked: false });
      return json(200, {
        access_token: `ya29.fake-${b64url(randomBytes(12))}`,
        expires_in: issued.expiresIn,
        refresh_token: refreshToken,
        scope,
        token_type: 'Bearer',
        id_token: idToken(issued.email, opts.clientId),
      });
    }
    if (form.grant_type === 'refresh_token') {
      const r = refresh.get(form.refresh_token);
      if (!r || r.revoked) return fail(400, 'invalid_grant', 'Token has been expired or revoked.');
      return json(200, { access_token: `ya29.fake-${b64url(randomBytes(12))}`, expires_in: r.expiresIn, scope, token_type: 'Bearer' });
    }
    return fail(400, 'unsupported_grant_type', 'Invalid grant_type: ' + form.grant_type);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    env: {
      GOOGLE_OAUTH_CLIENT_ID: opts.clientId,
      GOOGLE_OAUTH_CLIENT_SECRET: opts.clientSecret,
      GOOGLE_OAUTH_TOKEN_URL: `${url}/token`,
      GOOGLE_OAUTH_REVOKE_URL: `${url}/revoke`,
      GOOGLE_OAUTH_AUTH_URL: `${url}/o/oauth2/v2/auth`,
    },
    requests,
    issueCode(challenge, o = {}) {
      const code = `4/fake-code-${b64url(randomBytes(12))}`;
      codes.set(code, { challenge, expiresIn: o.expiresIn ?? 3599, email: o.email ?? 'owner@example.com' });
      return code;
    },
    revokeAll() {
      for (const r of refresh.values()) r.revoked = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
