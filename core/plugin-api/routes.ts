/** The routes contract: a plugin's router under `/api` (or the root), its options and handler input. */
import type { Context as KoaContext } from 'koa';
import type { ZodType } from 'zod';
import type { User } from './common.ts';

/** Who may call a route. Default `user`. */
export type RouteAccess = 'public' | 'user' | 'admin';

/** Options of one route: access rule and the zod schemas its inputs are parsed with before the handler runs. */
export interface RouteOptions<B = unknown, Q = unknown, P = unknown> {
  access?: RouteAccess;
  /** Body schema (zod). A non-matching body → 400 with `details`. */
  body?: ZodType<B>;
  /** Query schema (zod). Values arrive as strings; use `z.coerce`. */
  query?: ZodType<Q>;
  /** Path-parameter schema (zod). */
  params?: ZodType<P>;
  /** One line for the OpenAPI document. */
  summary?: string;
  /** The OpenAPI `operationId` (default: derived from method and path, e.g. `getConversationsById`). */
  operationId?: string;
  /** Answer with a raw stream (SSE): the host does not compress or buffer it. */
  stream?: boolean;
  /** Plan quota applied before the handler (`chat` counts against the hourly chat limit). */
  quota?: 'chat';
  /**
   * Mount at the server root instead of under `/api` — for protocol endpoints other clients expect at a fixed place
   * (`/v1/...` of the OpenAI API, `/mcp`). The path must not start with `/api`.
   */
  root?: boolean;
  /**
   * A public route whose handler checks the bearer token itself (so that a missing key is answered in its protocol's
   * own error shape, as the OpenAI API does): the OpenAPI document lists it under the bearer scheme, not as open.
   */
  handlerAuth?: 'bearer';
}

/**
 * What a handler receives besides the Koa context: the parsed inputs and the caller. `U` is `User` on routes that need
 * a signed-in user (the default access) — the host has refused the request otherwise — and `User | undefined` on
 * public routes.
 */
export interface RouteInput<B = any, Q = any, P = any, U extends User | undefined = User | undefined> {
  body: B;
  query: Q;
  params: P;
  /** The caller; `undefined` only on public routes without a token. */
  user: U;
}

/**
 * A route handler. Return a value to send it as the JSON body (status 200 unless `ctx.status` was set), or write
 * `ctx.body` yourself. Throw `AppError` (or the helpers `badRequest`, `notFound`, …) for 4xx answers. (Without `U`
 * it is the host's view of any handler; `ctx.routes` gives each handler its precise `user` type.)
 */
export type RouteHandler<B = any, Q = any, P = any, U extends User | undefined = any> = (ctx: KoaContext, input: RouteInput<B, Q, P, U>) => unknown;

/** Registers one route; the handler's `input.user` is a `User` unless the route is public. */
interface RouteMethod {
  <B = any, Q = any, P = any>(path: string, options: RouteOptions<B, Q, P> & { access: 'public' }, handler: RouteHandler<B, Q, P, User | undefined>): void;
  <B = any, Q = any, P = any>(path: string, options: RouteOptions<B, Q, P>, handler: RouteHandler<B, Q, P, User>): void;
  <B = any, Q = any, P = any>(path: string, handler: RouteHandler<B, Q, P, User>): void;
}

/** `ctx.routes.public.*`: no user required, so `input.user` may be `undefined`. */
interface PublicRouteMethod {
  <B = any, Q = any, P = any>(path: string, options: RouteOptions<B, Q, P>, handler: RouteHandler<B, Q, P, User | undefined>): void;
  <B = any, Q = any, P = any>(path: string, handler: RouteHandler<B, Q, P, User | undefined>): void;
}

/** A router scoped to one plugin, mounted under `/api`. Routes need a signed-in user unless `access: 'public'`. */
export interface PluginRoutes {
  get: RouteMethod;
  post: RouteMethod;
  put: RouteMethod;
  patch: RouteMethod;
  delete: RouteMethod;
  /** The same methods with `access: 'public'` preset (webhooks, OAuth callbacks). */
  public: { get: PublicRouteMethod; post: PublicRouteMethod };
}
