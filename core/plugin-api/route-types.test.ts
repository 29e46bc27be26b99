/**
 * Compile-time contract of `ctx.routes` (checked by `npm run typecheck`; the runtime part only confirms the file
 * loads): a handler of a route that needs a user gets `user: User`, a public one `User | undefined`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PluginRoutes, User } from './types.ts';

export function typedRoutes(routes: PluginRoutes): void {
  routes.get('/me', (_c, { user }) => {
    const u: User = user;
    return u.id;
  });
  routes.post('/admin', { access: 'admin' }, (_c, { user }) => user.isAdmin);
  routes.get('/hook', { access: 'public' }, (_c, { user }) => {
    // @ts-expect-error a public route may have no caller
    const u: User = user;
    return u;
  });
  routes.public.post('/webhook', (_c, { user }) => {
    // @ts-expect-error a public route may have no caller
    const u: User = user;
    return u;
  });
}

test('route input types: checked by the compiler', () => {
  assert.equal(typeof typedRoutes, 'function');
});
