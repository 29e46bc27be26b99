/**
 * How a request finds its caller and pays its chat quota: the bearer token (a 7-day JWT or a personal `aion_` API key,
 * both checked by `Accounts.verify`) resolved once per request, and the plan's hourly chat limit with its headers.
 */
import type { Context } from 'koa';
import type { User } from '../plugin-api/types.ts';
import type { RouteServices } from '../http/route-table.ts';
import { AppError, unauthorized } from '../errors.ts';
import type { Accounts } from './accounts.ts';
import { setQuotaHeaders, type UsageTracker } from './usage.ts';

/** `Bearer` followed by whitespace, any case: the prefix of a token in the Authorization header. */
const BEARER = /^bearer\s/i;

/**
 * Bearer token from the Authorization header (a bare token works too, as in the original): a JWT or an `aion_` API key.
 * A prefix test and slices rather than a capturing match: this runs on every authenticated request.
 */
function bearer(ctx: Context): string | undefined {
  const h = ctx.req.headers.authorization;
  if (!h) return undefined;
  const value = h.trim();
  return (value.length > 7 && BEARER.test(value) ? value.slice(7).trim() : value) || undefined;
}

export type RequestAuth = RouteServices['authenticate'];

/** The caller of a request from its bearer token; resolved once per request (routes, `/metrics`, plugins). */
export function requestAuthenticator(accounts: Accounts): RequestAuth {
  return async (ctx) => {
    if (ctx.state.authResolved) return { user: ctx.state.user as User | undefined, error: ctx.state.authError };
    ctx.state.authResolved = true;
    const token = bearer(ctx);
    if (!token) return { error: unauthorized('Authentication required') };
    const user = await accounts.verify(token);
    ctx.state.user = user;
    if (!user) ctx.state.authError = unauthorized('Invalid or expired token', 'INVALID_TOKEN');
    return { user, error: ctx.state.authError as AppError | undefined };
  };
}

/** What the composed router asks of the host for each request: the caller, and the chat quota. */
export function routeServices(authenticate: RequestAuth, usage: UsageTracker): Omit<RouteServices, 'track'> {
  return {
    authenticate,
    chatQuota: async (ctx, user) => {
      const q = await usage.consume(user).catch((error) => {
        if (error instanceof AppError && error.status === 429) {
          setQuotaHeaders(ctx, { limited: true, limit: Number(error.extra?.limit ?? 0), remaining: 0, resetAt: Number(error.extra?.resetAt ?? 0) });
        }
        throw error;
      });
      setQuotaHeaders(ctx, q);
    },
  };
}
