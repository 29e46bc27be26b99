/**
 * The layer every request passes first, as one Koa middleware: client address, request id, security headers, the
 * HTTP metrics (recorded when the response is finished, so streams are timed to their end), the error answer and the
 * access log. One function instead of four nested ones: each Koa layer is a closure, a bind and a promise per request
 * (issue #16: the authenticated GET's profile).
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { recordHttpRequest } from '../metrics/http.ts';
import { clientAddress, type ProxyTrust } from './client-address.ts';
import { answerError, answerUnrouted } from './error-middleware.ts';

/** Where a response finds its request's context and start time when it closes (one shared listener, no closure). */
const TIMING = Symbol('aion.requestTiming');
type TimedResponse = ServerResponse & { [TIMING]?: { ctx: Context; started: number } };

function recordOnClose(this: TimedResponse): void {
  const timing = this[TIMING];
  if (timing) recordHttpRequest(timing.ctx, (performance.now() - timing.started) / 1000);
}

export function outerLayer(log: Logger, trust: ProxyTrust): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    const res = ctx.res as TimedResponse;
    if (trust.kind !== 'none') ctx.request.ip = clientAddress(ctx.req.socket.remoteAddress, ctx.get('x-forwarded-for'), trust);
    const given = ctx.req.headers['x-request-id'];
    const reqId = (typeof given === 'string' && given.slice(0, 64)) || randomUUID();
    ctx.state.reqId = reqId;
    res.setHeader('X-Request-Id', reqId);
    res[TIMING] = { ctx, started };
    res.on('close', recordOnClose);
    try {
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('X-Frame-Options', 'DENY');
      await next();
      answerUnrouted(ctx);
    } catch (error) {
      answerError(ctx, error, log);
    } finally {
      if (log.isLevelEnabled('info')) {
        log.info({ reqId, ip: ctx.ip, method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started), plugin: ctx.state.plugin }, 'request');
      }
    }
  };
}
