/**
 * Dispatch to the route a request matches, with the route's middleware composed once when the routes are built.
 *
 * The rules are those the routes had under @koa/router: each path compiled by path-to-regexp with its layer options
 * (path-pattern.ts), routes tried in registration order, the first whose path and method match wins, HEAD is answered
 * by GET routes. @koa/router's own middleware built a chain of closures and composed it anew on every request, copied
 * the matched layers twice and scanned them backwards (issue #16: the authenticated GET's profile). Here each route is
 * one pre-built middleware; a request costs one remembered match per method and path, the regular expression's
 * captures for its parameters, and the call.
 */
import type { Context, Middleware, Next } from 'koa';
import { capturesOf, paramsOf, pathPattern, type PathPattern } from './path-pattern.ts';

/** A route to dispatch to: its full public path (`/api/…`, or a root route's), its methods, its one middleware. */
export interface DispatchRoute {
  path: string;
  /** Upper-case HTTP methods; GET brings HEAD with it. */
  methods: readonly string[];
  run: Middleware;
}

/** One route ready to match. */
interface CompiledRoute {
  path: string;
  pattern: PathPattern;
  methods: ReadonlySet<string>;
  run: Middleware;
  hasParams: boolean;
}

/** A remembered match: the route for a method and path, and its decoded parameters (copied out per request). */
interface Match {
  route: CompiledRoute;
  captures: string[];
  params: Record<string, string>;
}

/** Distinct method + path pairs remembered; the map starts over when full (paths carry ids). */
const MATCH_CACHE_SIZE = 2048;

function compile(routes: DispatchRoute[]): CompiledRoute[] {
  return routes.map((r) => {
    const pattern = pathPattern(r.path);
    const methods = new Set(r.methods);
    if (methods.has('GET')) methods.add('HEAD');
    return { path: r.path, pattern, methods, run: r.run, hasParams: pattern.keys.length > 0 };
  });
}

/** The first route whose path and method match. */
function findRoute(routes: CompiledRoute[], path: string, method: string): Match | null {
  for (const route of routes) {
    if (!route.methods.has(method) || !route.pattern.regexp.test(path)) continue;
    const captures = route.hasParams ? capturesOf(route.pattern, path) : [];
    return { route, captures: Object.freeze(captures) as string[], params: route.hasParams ? paramsOf(route.pattern, captures) : {} };
  }
  return null;
}

/**
 * One middleware for `routes` (tried in order). Unmatched requests go on to `next`. The context gets what @koa/router
 * set for a matched route: `params` (also on the request), `captures`, `routerPath` and `_matchedRoute` (the metrics'
 * route label).
 */
export function dispatchRoutes(list: DispatchRoute[]): Middleware {
  const routes = compile(list);
  const cache = new Map<string, Match | null>();
  return (ctx: Context, next: Next) => {
    const path = ctx.path;
    const key = `${ctx.method} ${path}`;
    let match = cache.get(key);
    if (match === undefined) {
      if (cache.size >= MATCH_CACHE_SIZE) cache.clear();
      match = findRoute(routes, path, ctx.method.toUpperCase());
      cache.set(key, match);
    }
    if (!match) return next();
    const c = ctx as Context & Record<string, unknown>;
    // A fresh params object per request: a handler may change its own copy.
    const params = match.route.hasParams ? { ...match.params } : {};
    c.params = params;
    (c.request as unknown as Record<string, unknown>).params = params;
    c.captures = match.captures;
    c.routerPath = match.route.path;
    c._matchedRoute = match.route.path;
    return match.route.run(ctx, next);
  };
}
