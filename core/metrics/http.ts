/**
 * HTTP metrics and the scrape endpoint. `GET /metrics` (Prometheus text) needs `Authorization: Bearer <METRICS_TOKEN>`
 * or an admin's token; `METRICS_ENABLED=0` turns it off (then it is an unknown path: JSON 404).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { User } from '../plugin-api/types.ts';
import { forbidden, unauthorized } from '../errors.ts';
import { httpDuration, httpRequests, registry, setRequestCountSource } from './registry.ts';

/** The route label: the matched router pattern, `panel` for the control panel's files, else `unmatched`. */
function routeLabel(ctx: Context): string {
  const matched = (ctx as any)._matchedRoute;
  if (typeof matched === 'string') return matched;
  if (ctx.state.panel) return 'panel';
  return ctx.path === '/metrics' || ctx.path === '/api/openapi.json' ? ctx.path : 'unmatched';
}

/**
 * One label set's recorders, resolved once: no label objects, key strings, timers or merges per request. The request
 * count is kept here and handed to prom-client when the registry is read (`flushRequestCounts`): an `inc` per request
 * hashed and validated the same three labels again (issue #16: the authenticated GET's profile).
 */
interface Series {
  labels: { method: string; route: string; status: string };
  pending: number;
  observe: (seconds: number) => void;
}

/** Label sets seen so far, by route, then method, then status; bounded anyway and started over (flushed) if full. */
const MAX_SERIES = 4096;
let seriesCount = 0;
let series = new Map<string, Map<string, Map<number, Series>>>();

function seriesFor(method: string, route: string, status: number): Series {
  let byMethod = series.get(route);
  if (!byMethod) series.set(route, (byMethod = new Map()));
  let byStatus = byMethod.get(method);
  if (!byStatus) byMethod.set(method, (byStatus = new Map()));
  let s = byStatus.get(status);
  if (!s) {
    if (seriesCount >= MAX_SERIES) {
      flushRequestCounts();
      series = new Map();
      seriesCount = 0;
      return seriesFor(method, route, status);
    }
    const labels = { method, route, status: String(status) };
    s = { labels, pending: 0, observe: httpDuration.series(labels).observe };
    byStatus.set(status, s);
    seriesCount++;
  }
  return s;
}

/** Add the requests counted since the last read to `aion_http_requests_total` (its `collect`, run on every read). */
export function flushRequestCounts(): void {
  for (const byMethod of series.values()) {
    for (const byStatus of byMethod.values()) {
      for (const s of byStatus.values()) {
        if (s.pending === 0) continue;
        httpRequests.inc(s.labels, s.pending);
        s.pending = 0;
      }
    }
  }
}
setRequestCountSource(flushRequestCounts);

/** Count one finished request and its duration (`aion_http_requests_total`, `aion_http_request_duration_seconds`). */
export function recordHttpRequest(ctx: Context, seconds: number): void {
  const s = seriesFor(ctx.method, routeLabel(ctx), ctx.status);
  s.pending++;
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
