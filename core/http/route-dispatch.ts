/**
 * Dispatch to the route a request matches, with the route's middleware composed once when the routes are built.
 *
 * @koa/router still compiles every path (its path-to-regexp rules, the `/api` prefix, HEAD answered by GET routes) and
 * matches them, but its own middleware builds a chain of closures and composes it anew on every request, copies the
 * matched layers twice and scans them backwards (issue #16: the authenticated GET's profile). Here each route is one
 * pre-built middleware; a request costs one remembered match per method and path, the regular expression's captures
 * for its parameters, and the call.
 */
import type Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';

/** What this module uses of a @koa/router layer (public fields of its `Layer`). */
interface RouterLayer {
  path: string;
  methods: string[];
  paramNames: unknown[];
  stack: Middleware[];
  captures(path: string): string[];
  params(path: string, captures: string[], existing?: Record<string, string>): Record<string, string>;
}

/** One registered route: its layer and its single handler. */
interface CompiledRoute {
  layer: RouterLayer;
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

/** Every route of `routers`, in the order the routers would be tried (each router's registration order). */
function compile(routers: Router[]): CompiledRoute[] {
  const routes: CompiledRoute[] = [];
  for (const router of routers) {
    for (const layer of (router as unknown as { stack: RouterLayer[] }).stack) {
      // Our routes register exactly one middleware each and no router-level middleware (methods always non-empty).
      if (layer.methods.length === 0 || layer.stack.length !== 1) throw new Error(`unexpected router layer ${layer.path}`);
      routes.push({ layer, run: layer.stack[0]!, hasParams: layer.paramNames.length > 0 });
    }
  }
  return routes;
}

/** The first route whose path and method match, as @koa/router would pick it (first router first). */
function findRoute(routes: CompiledRoute[], routers: Router[], path: string, method: string): Match | null {
  for (const router of routers) {
    const found = (router as unknown as { match(p: string, m: string): { pathAndMethod: RouterLayer[]; route: boolean } }).match(path, method);
    if (!found.route) continue;
    const layer = found.pathAndMethod.find((l) => l.methods.length > 0)!;
    const route = routes.find((r) => r.layer === layer)!;
    const captures = route.hasParams ? layer.captures(path) : [];
    return { route, captures: Object.freeze(captures) as string[], params: route.hasParams ? layer.params(path, captures, {}) : {} };
  }
  return null;
}

/**
 * One middleware for `routers` (tried in order, as chained @koa/router middlewares would be). Unmatched requests go
 * on to `next`. The context gets what @koa/router sets for a matched route: `params` (also on the request),
 * `captures`, `routerPath` and `_matchedRoute` (the metrics' route label).
 */
export function dispatchRoutes(routers: Router[]): Middleware {
  const routes = compile(routers);
  const cache = new Map<string, Match | null>();
  return (ctx: Context, next: Next) => {
    const path = ctx.path;
    const key = `${ctx.method} ${path}`;
    let match = cache.get(key);
    if (match === undefined) {
      if (cache.size >= MATCH_CACHE_SIZE) cache.clear();
      match = findRoute(routes, routers, path, ctx.method);
      cache.set(key, match);
    }
    if (!match) return next();
    const c = ctx as Context & Record<string, unknown>;
    // A fresh params object per request: a handler may change its own copy.
    const params = match.route.hasParams ? { ...match.params } : {};
    c.params = params;
    (c.request as unknown as Record<string, unknown>).params = params;
    c.captures = match.captures;
    c.routerPath = match.route.layer.path;
    c._matchedRoute = match.route.layer.path;
    return match.route.run(ctx, next);
  };
}
