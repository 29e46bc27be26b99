/**
 * Personal API keys (`/api/auth/api-keys`): create (the key is shown once), list (never the key), revoke. A key works
 * as a bearer token everywhere a JWT does. Creating a key needs a sign-in token, not another key, so a leaked key
 * cannot mint replacements that would outlive its revocation.
 */
import { z } from 'zod';
import { AppError, type PluginContext } from '../../core/plugin-api/index.ts';

const KEY_AUTH = /^(bearer\s+)?aion_/i;

export function registerApiKeyRoutes(ctx: PluginContext): void {
  const { apiKeys } = ctx.auth.accounts;

  ctx.routes.post('/auth/api-keys', {
    summary: 'Create a personal API key (shown once)',
    body: z.object({ name: z.string().trim().min(1, 'is required').max(100) }),
  }, async (c, { body, user }) => {
    if (KEY_AUTH.test(c.get('authorization').trim())) {
      throw new AppError(403, 'API_KEY_NOT_ALLOWED', 'API keys are created with a sign-in token, not with another API key');
    }
    const { key, apiKey } = await apiKeys.create(user.id, body.name);
    c.status = 201;
    return { success: true, key, apiKey };
  });

  ctx.routes.get('/auth/api-keys', { summary: "The caller's API keys (without the keys)" }, async (_c, { user }) => ({
    success: true,
    apiKeys: await apiKeys.list(user.id),
  }));

  ctx.routes.delete('/auth/api-keys/:id', {
    summary: 'Revoke an API key',
    params: z.object({ id: z.string().min(1).max(128) }),
  }, async (_c, { params, user }) => {
    await apiKeys.revoke(user.id, params.id);
    return { success: true };
  });
}
