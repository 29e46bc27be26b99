/**
 * HTTP metrics and the scrape endpoint. `GET /metrics` (Prometheus text) needs `Authorization: Bearer <METRICS_TOKEN>`
 * or an admin's token; `METRICS_ENABLED=0` turns it off (then it is an unknown path: JSON 404).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { User } from '../plugin-api/types.ts';
import { forbidden, unauthorized } from '../errors.ts';
import { httpDuration, httpRequests, registry } from './registry.ts';

/** The route label: the matched router pattern, `panel` for the control panel's files, else `unmatched`. */
function routeLabel(ctx: Context): string {
  const matched = (ctx as any)._matchedRoute;
  if (typeof matched === 'string') return matched;
  if (ctx.state.panel) return 'panel';
  return ctx.path === '/metrics' || ctx.path === '/api/openapi.json' ? ctx.path : 'unmatched';
}

/** The prom-client children of one label set, resolved once: no label objects, timers or merges per request. */
interface Series {
  inc: () => void;
  observe: (seconds: number) => void;
}

/** Label sets seen so far; bounded anyway (methods, route patterns and statuses are few) and started over if full. */
const MAX_SERIES = 4096;
const series = new Map<string, Series>();

function seriesFor(method: string, route: string, status: string): Series {
  const key = `${method} ${status} ${route}`;
  let s = series.get(key);
  if (!s) {
    if (series.size >= MAX_SERIES) series.clear();
    const labels = { method, route, status };
    const counter = httpRequests.labels(labels);
    s = { inc: () => counter.inc(), observe: httpDuration.labels(labels).observe };
    series.set(key, s);
  }
  return s;
}

/** Count one finished request and its duration (`aion_http_requests_total`, `aion_http_request_duration_seconds`). */
export function recordHttpRequest(ctx: Context, seconds: number): void {
  const s = seriesFor(ctx.method, routeLabel(ctx), String(ctx.status));
  s.inc();
  s.observe(seconds);
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface MetricsEndpointOptions {
  enabled: () => boolean;
  token: () => string | undefined;
  /** The caller from the request's bearer token (same rules as every route). */
  authenticate: (ctx: Context) => Promise<User | undefined>;
}

export function metricsEndpoint(opts: MetricsEndpointOptions): Middleware {
  // Every other request passes straight on, without an async frame of its own.
  return (ctx, next) => (ctx.path !== '/metrics' || !opts.enabled() || (ctx.method !== 'GET' && ctx.method !== 'HEAD') ? next() : scrape(ctx, opts));
}

async function scrape(ctx: Context, opts: MetricsEndpointOptions): Promise<void> {
  const header = ctx.get('authorization');
  const given = /^Bearer\s+(.+)$/i.exec(header.trim())?.[1]?.trim();
  if (!given) throw unauthorized('Authentication required: an admin token or METRICS_TOKEN');
  const token = opts.token();
  if (!(token && token.length >= 16 && sameSecret(given, token))) {
    const user = await opts.authenticate(ctx);
    if (!user) throw unauthorized('Invalid token', 'INVALID_TOKEN');
    if (user.role !== 'admin') throw forbidden('Admin only');
  }
  ctx.set('Cache-Control', 'no-store');
  ctx.type = registry.contentType;
  ctx.body = await registry.metrics();
}
