/**
 * Sign-out and token refresh, as the original client calls them (`authStore.ts`): `POST /api/auth/logout` revokes the
 * token, `POST /api/auth/refresh` answers `{ success, token, user }` with a new one and revokes the old. Both use the
 * accounts' token version, so revocation holds across restarts; it revokes the user's other tokens too.
 */
import type { PluginContext } from '../../core/plugin-api/index.ts';

export function registerSessionRoutes(ctx: PluginContext): void {
  const { accounts } = ctx.auth;

  ctx.routes.post('/auth/logout', { summary: "Sign out: the caller's tokens stop working" }, async (_c, { user }) => {
    await accounts.rotateTokens(user.id);
    return { success: true };
  });

  ctx.routes.post('/auth/refresh', { summary: 'A new token; earlier ones stop working' }, async (_c, { user }) => {
    const { user: fresh, token } = await accounts.rotateTokens(user.id);
    return { success: true, token, user: fresh };
  });
}
