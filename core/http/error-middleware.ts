/**
 * One error middleware for the whole server: every failure becomes `{ error, code, details? }` with a 4xx status
 * (or a generic 500 with the request id, whose real cause is only logged). No stack trace, path or secret ever reaches a
 * client.
 */
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { isAppError } from '../errors.ts';
import { scrubPaths, scrubSecrets } from '../secret-scrubber.ts';

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMIT_EXCEEDED',
};

export function errorMiddleware(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      answerUnrouted(ctx);
    } catch (error: any) {
      answerError(ctx, error, log);
    }
  };
}

/** Nothing answered the request: the JSON 404 (not Koa's plain-text one). */
export function answerUnrouted(ctx: Context): void {
  if (ctx.status === 404 && ctx.body === undefined && ctx.respond !== false) {
    ctx.status = 404;
    ctx.body = { error: `No route for ${ctx.method} ${ctx.path}`, code: 'NOT_FOUND' };
  }
}

/** Turn a thrown error into the response `{ error, code, details? }`, logging what a client must not see. */
export function answerError(ctx: Context, error: any, log: Logger): void {
  if (ctx.headerSent || ctx.respond === false) {
    // A streaming response already started: it is the stream's job to send an error frame.
    log.warn({ err: safeErr(error), reqId: ctx.state.reqId }, 'error after headers were sent');
    return;
  }
  if (isAppError(error)) {
    ctx.status = error.status;
    // A coded 5xx (provider failed, sandbox missing) keeps its message, without paths; the request id finds the log.
    const message = error.status >= 500 ? scrubPaths(error.message) : error.message;
    ctx.body = { error: message, code: error.code, ...(error.details !== undefined ? { details: error.details } : {}), ...error.extra, ...serverFault(ctx) };
    if (error.headers) ctx.set(error.headers);
    return;
  }
  const status = Number(error?.status ?? error?.statusCode);
  if (status >= 400 && status < 500) {
    // Errors from Koa itself or koa-body: malformed JSON, body too large, unsupported type.
    ctx.status = status;
    const code = status === 400 && /json|parse|unexpected token/i.test(String(error.message)) ? 'INVALID_JSON' : STATUS_CODES[status] ?? 'BAD_REQUEST';
    const message =
      status === 413 ? 'Request body too large' : code === 'INVALID_JSON' ? 'Malformed JSON body' : error.expose ? scrubSecrets(String(error.message)) : 'Bad request';
    ctx.body = { error: message, code };
    return;
  }
  // PostgreSQL refuses text it cannot store (a NUL in an id or a query value, a NUL or a lone surrogate in a jsonb
  // value such as a memory): the request's fault, not ours.
  if (unstorableText(error)) {
    ctx.status = 400;
    ctx.body = { error: 'The request contains characters that cannot be stored (e.g. NUL or a lone surrogate)', code: 'INVALID_TEXT' };
    return;
  }
  log.error({ err: safeErr(error), reqId: ctx.state.reqId, plugin: ctx.state.plugin, path: ctx.path }, 'unhandled error');
  ctx.status = 500;
  ctx.body = { error: 'Internal server error', code: 'INTERNAL_ERROR', requestId: ctx.state.reqId };
}

/**
 * PostgreSQL's refusals of text: invalid byte sequence (22021), untranslatable character (22P05: a NUL escaped in jsonb),
 * and the one invalid-input case (22P02) that is about the text and not the statement: an unpaired surrogate escape.
 */
function unstorableText(error: any): boolean {
  if (error?.code === '22021' || error?.code === '22P05') return true;
  return error?.code === '22P02' && /surrogate/i.test(String(error?.detail));
}

/** A 5xx answer names the request id (the log has the cause); a 4xx needs none. */
function serverFault(ctx: Context): { requestId?: string } {
  return ctx.status >= 500 ? { requestId: ctx.state.reqId } : {};
}

/** An error for the log: message and stack, without attached request data (secrets are scrubbed by the logger). */
export function safeErr(error: any) {
  return { message: String(error?.message ?? error), stack: error?.stack, code: error?.code };
}
