/**
 * Google OAuth for the Gemini API: an admin connects a Google account (authorization code + PKCE, signed single-use
 * state), tokens are sealed at rest (AES-256-GCM) and refreshed before expiry, and the current access token is
 * offered to the Gemini provider through the declared `google-credentials` service (used when it has no API key).
 */
import { definePlugin, type GoogleCredentialsService } from '../../core/plugin-api/index.ts';
import { loadKeys } from './keys.ts';
import { registerRoutes } from './routes.ts';
import { StateStore } from './state.ts';
import { TokenManager } from './tokens.ts';

export default definePlugin({
  name: 'google-oauth',
  version: '1.0.0',
  description: 'Google OAuth (PKCE) for the Gemini API: connect, status, token refresh',
  async setup(ctx) {
    const keys = await loadKeys(await ctx.store.dir());
    const tokens = new TokenManager(keys, ctx.store.plugin, ctx.secrets, ctx.log);
    ctx.onUnload(() => tokens.dispose());
    ctx.services.provide<GoogleCredentialsService>('google-credentials', {
      accessToken: () => tokens.accessToken(),
      project: () => ctx.secrets.get('GOOGLE_CLOUD_PROJECT')?.trim() || undefined,
    });
    registerRoutes(ctx, new StateStore(keys, ctx.store.plugin), tokens);
    await tokens.start();
  },
});
