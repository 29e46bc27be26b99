/**
 * Route records: what plugins register through `ctx.routes`, kept per plugin (the ledger), and composed by the host
 * into one dispatcher that it rebuilds atomically on every plugin swap.
 */
import type { Context, Middleware } from 'koa';
import type { PluginRoutes, RouteHandler, RouteOptions, User } from '../plugin-api/types.ts';
import { AppError, forbidden, notFound, unauthorized } from '../errors.ts';
import { parseInput } from './validate.ts';
import { dispatchRoutes, type DispatchRoute } from './route-dispatch.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteRecord {
  plugin: string;
  method: HttpMethod;
  /** Path under `/api`, e.g. `/conversations/:id`. */
  path: string;
  options: RouteOptions;
  handler: RouteHandler;
}

/** What the composed router needs from the host for every request. */
export interface RouteServices {
  /** Resolve the caller from the Authorization header (undefined when absent or invalid). */
  authenticate(ctx: Context): Promise<{ user?: User; error?: AppError }>;
  /** Apply the chat quota (throws 429) and set headers. */
  chatQuota(ctx: Context, user: User): Promise<void>;
  /** Counts a request as in flight on a plugin's generation (so a swap can wait for it). */
  track<T>(plugin: string, run: () => Promise<T>): Promise<T>;
}

const PATH = /^\/[A-Za-z0-9_\-/:.{}]*$/;

/** A `ctx.routes` for one plugin that records into `sink`. */
export function createPluginRoutes(plugin: string, sink: RouteRecord[]): PluginRoutes {
  const method =
    (m: HttpMethod, preset: RouteOptions = {}) =>
    (path: string, optionsOrHandler: RouteOptions | RouteHandler, handler?: RouteHandler) => {
      if (!PATH.test(path)) throw new Error(`plugin ${plugin}: invalid route path "${path}"`);
      const rootMounted = typeof optionsOrHandler === 'object' && optionsOrHandler.root === true;
      if (rootMounted && /^\/api(\/|$)/.test(path)) throw new Error(`plugin ${plugin}: a root route may not start with /api ("${path}")`);
      const options = typeof optionsOrHandler === 'function' ? {} : optionsOrHandler;
      const fn = typeof optionsOrHandler === 'function' ? optionsOrHandler : handler;
      if (typeof fn !== 'function') throw new Error(`plugin ${plugin}: route ${m.toUpperCase()} ${path} has no handler`);
      sink.push({ plugin, method: m, path, options: { ...options, ...preset }, handler: fn });
    };
  return {
    get: method('get'),
    post: method('post'),
    put: method('put'),
    patch: method('patch'),
    delete: method('delete'),
    public: { get: method('get', { access: 'public' }), post: method('post', { access: 'public' }) },
  };
}

/**
 * The parsed query string as a plain object of its own (koa's parse skipped when there is none, most requests). The
 * request target has a query only after a `?`; looking for one there skips Koa's `querystring` getter and its URL
 * parse check on every request. A bare `?` gives `{}` either way (Koa's query of an empty string).
 */
const queryOf = (ctx: Context): Record<string, unknown> => (ctx.req.url?.includes('?') ? { ...ctx.query } : {});

function routeMiddleware(record: RouteRecord, services: RouteServices): Middleware {
  const { options, handler } = record;
  const access = options.access ?? 'user';
  return async (ctx) => {
    ctx.state.plugin = record.plugin;
    const { user, error } = await services.authenticate(ctx);
    if (access !== 'public') {
      if (!user) throw error ?? unauthorized();
      if (access === 'admin' && user.role !== 'admin') throw forbidden('Admin only');
    }
    const input = {
      params: options.params ? parseInput(options.params, ctx.params, 'params') : ctx.params,
      query: options.query ? parseInput(options.query, queryOf(ctx), 'query') : queryOf(ctx),
      body: options.body ? parseInput(options.body, (ctx.request as any).body ?? {}, 'body') : (ctx.request as any).body,
      user,
    };
    if (options.quota === 'chat' && user) await services.chatQuota(ctx, user);
    // The handler itself is what runs counted (no closure of our own around it: one frame and promise less a request).
    const result = await services.track(record.plugin, () => handler(ctx, input) as Promise<unknown>);
    if (result !== undefined && ctx.body === undefined && ctx.respond !== false) ctx.body = result;
  };
}

/**
 * Compose all records into one dispatcher. `disabled` maps paths of disabled plugins so they answer 404
 * `PLUGIN_DISABLED` instead of a plain 404. The order is the one the two @koa/router routers had: `/api` routes as
 * registered, then the disabled stubs, then root routes.
 */
export function composeRouter(records: RouteRecord[], services: RouteServices, disabled: Array<{ plugin: string; method: HttpMethod; path: string }>): Middleware {
  const api: DispatchRoute[] = [];
  const root: DispatchRoute[] = [];
  for (const r of records) (r.options.root ? root : api).push({ path: dispatchPath(r), methods: [r.method.toUpperCase()], run: routeMiddleware(r, services) });
  const live = new Set(records.map((r) => `${r.method} ${r.path}`));
  for (const d of disabled) {
    if (live.has(`${d.method} ${d.path}`)) continue;
    api.push({
      path: dispatchPath({ path: d.path, options: {} }),
      methods: [d.method.toUpperCase()],
      run: async () => {
        throw notFound(`Plugin ${d.plugin} is disabled`, 'PLUGIN_DISABLED');
      },
    });
  }
  return dispatchRoutes([...api, ...root]);
}

/** The public path of a route record (`/api` + path, or the path itself for root routes). */
export function publicPath(record: Pick<RouteRecord, 'path' | 'options'>): string {
  return record.options.root ? record.path : `/api${record.path}`;
}

/**
 * The path a route is matched by and labelled with (`routerPath`, the metrics' route): `publicPath`, except that `/`
 * under `/api` is `/api` itself, @koa/router's prefix rule, which the routes kept when it stopped being used here.
 */
function dispatchPath(record: Pick<RouteRecord, 'path' | 'options'>): string {
  return !record.options.root && record.path === '/' ? '/api' : publicPath(record);
}
