/**
 * Accounts (`alin-api.md` → Accounts): signup, login, me, profile, change-password, personal API keys, and admin user
 * management.
 * Required: it cannot be disabled.
 */
import { z } from 'zod';
import { AppError, definePlugin, type PluginContext } from '../../core/plugin-api/index.ts';
import { registerApiKeyRoutes } from './api-keys.ts';
import { registerSessionRoutes } from './session.ts';

const Email = z.string().trim().max(254).email();
const Password = z.string().min(8, 'must be at least 8 characters').max(256);

export default definePlugin({
  name: 'alin-auth',
  version: '1.0.0',
  description: 'Accounts: signup, login, profile, password, admin user management',
  required: true,
  setup(ctx) {
    registerSignupAndLogin(ctx);
    registerProfileRoutes(ctx);
    registerApiKeyRoutes(ctx);
    registerSessionRoutes(ctx);
    registerUserAdminRoutes(ctx);
  },
});

/** The two public routes: each answers with a token. */
function registerSignupAndLogin(ctx: PluginContext) {
  const { accounts } = ctx.auth;
  ctx.routes.post('/auth/signup', {
    access: 'public',
    summary: 'Create an account (the first becomes admin)',
    body: z.object({ email: Email, password: Password, displayName: z.string().trim().max(100).optional() }),
  }, async (c, { body }) => {
    const { user, token } = await accounts.signup(body, c.ip || 'unknown');
    c.status = 201;
    return { success: true, token, user };
  });

  ctx.routes.post('/auth/login', {
    access: 'public',
    summary: 'Sign in',
    body: z.object({ email: z.string().max(254), password: z.string().max(256) }),
  }, async (c, { body }) => {
    const { user, token } = await accounts.login(body, c.ip || 'unknown');
    return { success: true, token, user };
  });
}

/** The caller's own account. */
function registerProfileRoutes(ctx: PluginContext) {
  const { accounts } = ctx.auth;
  ctx.routes.get('/auth/me', { summary: 'The caller, with usage' }, async (_c, { user }) => ({
    success: true,
    user: { ...user, usage: await accounts.usage(user), limits: accounts.limits(user) },
  }));

  ctx.routes.patch('/auth/profile', {
    summary: 'Update display name or email',
    body: z.object({ displayName: z.string().trim().min(1).max(100).optional(), email: Email.optional() }),
  }, async (_c, { body, user }) => ({ success: true, user: await accounts.updateProfile(user.id, body) }));

  ctx.routes.post('/auth/change-password', {
    summary: 'Change password; earlier tokens stop working',
    body: z.object({ oldPassword: z.string().max(256), newPassword: Password }),
  }, async (_c, { body, user }) => {
    await accounts.changePassword(user.id, body.oldPassword, body.newPassword);
    return { success: true };
  });
}

function registerUserAdminRoutes(ctx: PluginContext) {
  const { accounts } = ctx.auth;
  // Each user with their usage (messages this hour, tokens today and per day), for the panel's users page.
  ctx.routes.get('/admin/users', { access: 'admin', summary: 'All users, each with usage' }, async () => {
    const users = await accounts.list();
    return { success: true, users: await Promise.all(users.map(async (u) => ({ ...u, usage: await accounts.usage(u) }))) };
  });

  ctx.routes.patch('/admin/users/:id', {
    access: 'admin',
    summary: "Change a user's plan or role, or disable / enable the account",
    params: z.object({ id: z.string().min(1).max(128) }),
    body: z
      .object({ plan: z.enum(['free', 'pro', 'enterprise']).optional(), role: z.enum(['user', 'admin']).optional(), disabled: z.boolean().optional() })
      .refine((b) => b.plan || b.role || b.disabled !== undefined, 'plan, role or disabled is required'),
  }, async (_c, { params, body, user }) => {
    if (body.disabled && params.id === user.id) throw new AppError(409, 'CANNOT_DISABLE_SELF', 'You cannot disable your own account');
    return { success: true, user: await accounts.adminUpdate(params.id, body) };
  });
}
