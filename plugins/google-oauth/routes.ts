/**
 * Routes: `GET /oauth/google/start` (admin) → the consent URL; `GET /oauth/google/callback` (public, state-checked)
 * → a small HTML page for the opener window; `GET /oauth/google/status` and `POST /oauth/google/disconnect` (admin).
 */
import type { Context } from 'koa';
import { z } from 'zod';
import { AppError, type PluginContext } from '../../core/plugin-api/index.ts';
import { CALLBACK_CSP, callbackPage } from './callback-page.ts';
import { clientConfig, createClient, emailFromIdToken, oauthErrorCode, scopes } from './client.ts';
import type { StateStore } from './state.ts';
import type { TokenManager } from './tokens.ts';

const Param = z.string().max(4096).optional();
const CallbackQuery = z.object({ code: Param, state: Param, error: Param, scope: Param }).passthrough();

/**
 * The redirect URI: the configured one, else this request's own origin. (The Host header is the client's, but Google
 * only redirects to URIs registered for the client, so a spoofed host just fails the flow.)
 */
function redirectUri(c: Context): string {
  return process.env.GOOGLE_OAUTH_REDIRECT_URI || `${c.protocol}://${c.host}/api/oauth/google/callback`;
}

/** Answer the callback: the HTML page for a browser, `{ error, code }` JSON to a client that asks for JSON. */
function answer(c: Context, status: number, result: { ok: true; email?: string } | { ok: false; error: string }): void {
  c.status = status;
  c.set('Cache-Control', 'no-store');
  if (c.accepts('html', 'json') === 'json') {
    c.body = result.ok ? { ok: true, ...(result.email ? { email: result.email } : {}) } : { error: `Google sign-in failed: ${result.error}`, code: result.error.toUpperCase() };
    return;
  }
  c.set('Content-Security-Policy', CALLBACK_CSP);
  c.type = 'text/html; charset=utf-8';
  c.body = callbackPage({ source: 'aion-google-oauth', ...result } as Parameters<typeof callbackPage>[0]);
}

export function registerRoutes(ctx: PluginContext, state: StateStore, tokens: TokenManager): void {
  ctx.routes.get('/oauth/google/start', { access: 'admin', summary: 'Google consent URL (PKCE, signed single-use state)' }, async (c, { user }) => {
    if (!clientConfig(ctx.secrets)) {
      throw new AppError(400, 'GOOGLE_OAUTH_NOT_CONFIGURED', 'Set GOOGLE_OAUTH_CLIENT_ID and GOOGLE_OAUTH_CLIENT_SECRET first');
    }
    const uri = redirectUri(c);
    const client = await createClient(ctx.secrets, uri);
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const signed = await state.issue({ codeVerifier, redirectUri: uri, userId: user.id });
    const url = client.generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent',
      scope: scopes(),
      state: signed,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256' as any,
      include_granted_scopes: true,
    });
    return { url };
  });

  ctx.routes.get('/oauth/google/callback', { access: 'public', query: CallbackQuery, summary: 'Google redirects here after consent' }, async (c, { query }) => {
    const flow = await state.consume(query.state);
    if (typeof flow === 'string') return answer(c, 400, { ok: false, error: flow });
    if (query.error) return answer(c, 400, { ok: false, error: /^[a-z_]{1,64}$/.test(query.error) ? query.error : 'access_denied' });
    if (!query.code) return answer(c, 400, { ok: false, error: 'missing_code' });
    let result;
    try {
      const client = await createClient(ctx.secrets, flow.redirectUri);
      result = await client.getToken({ code: query.code, codeVerifier: flow.codeVerifier });
    } catch (error) {
      ctx.log.warn({ code: oauthErrorCode(error) }, 'google-oauth: code exchange failed');
      return answer(c, 400, { ok: false, error: 'token_failed' });
    }
    const email = emailFromIdToken(result.tokens.id_token);
    await tokens.connect(result.tokens, email);
    ctx.log.info('google-oauth: account connected');
    return answer(c, 200, { ok: true, ...(email ? { email } : {}) });
  });

  ctx.routes.get('/oauth/google/status', { access: 'admin', summary: 'Google connection: configured, connected, status' }, async () => ({
    configured: !!clientConfig(ctx.secrets),
    ...(await tokens.status()),
  }));

  ctx.routes.post('/oauth/google/disconnect', { access: 'admin', summary: 'Forget (and revoke) the Google tokens' }, async () => {
    await tokens.disconnect();
    return { ok: true };
  });
}
