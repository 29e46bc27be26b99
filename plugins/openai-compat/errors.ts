/**
 * Errors in OpenAI's shape, `{ error: { message, type, code, param } }`, so OpenAI clients and SDKs map them to their
 * own error classes (401 → AuthenticationError, 429 → RateLimitError, …). Nothing internal reaches the client.
 */
import type { Context } from 'koa';
import { isAppError, type Logger } from '../../core/plugin-api/index.ts';

/** An error to answer in OpenAI's shape. */
export class OpenAIError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const invalidRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new OpenAIError(400, message, 'invalid_request_error', code, param);

export const invalidKey = (message: string) => new OpenAIError(401, message, 'invalid_request_error', 'invalid_api_key');

/** OpenAI's error types for our coded errors. */
function fromAppError(error: any): OpenAIError {
  const status = Number(error.status);
  const headers = (error.headers ?? {}) as Record<string, string>;
  if (status === 401) return invalidKey(error.message);
  if (status === 429) return new OpenAIError(429, error.message, 'rate_limit_exceeded', 'rate_limit_exceeded', null, headers);
  if (status === 404 || error.code === 'UNKNOWN_MODEL') return new OpenAIError(404, error.message, 'invalid_request_error', error.code === 'UNKNOWN_MODEL' ? 'model_not_found' : 'not_found', error.code === 'UNKNOWN_MODEL' ? 'model' : null);
  if (status === 403) return new OpenAIError(403, error.message, 'permission_denied', String(error.code ?? '').toLowerCase() || null);
  if (status >= 400 && status < 500) {
    const param = /model|provider/i.test(String(error.message)) ? 'model' : null;
    return new OpenAIError(status, error.message, 'invalid_request_error', String(error.code ?? '').toLowerCase() || null, param);
  }
  return new OpenAIError(502, error.message, 'api_error', String(error.code ?? '').toLowerCase() || null);
}

/** Any error → an OpenAIError; unexpected ones are logged and answered as a generic 500. */
export function toOpenAIError(error: unknown, log: Logger): OpenAIError {
  if (error instanceof OpenAIError) return error;
  if (isAppError(error)) return fromAppError(error);
  log.error({ err: { message: String((error as Error)?.message ?? error), stack: (error as Error)?.stack } }, 'openai-compat: unexpected error');
  return new OpenAIError(500, 'Internal server error', 'server_error', 'internal_error');
}

export function errorBody(e: OpenAIError) {
  return { error: { message: e.message, type: e.type, code: e.code, param: e.param } };
}

/** Answer an error as JSON (before any streaming started). */
export function sendError(ctx: Context, e: OpenAIError): void {
  ctx.status = e.status;
  ctx.set(e.headers);
  ctx.body = errorBody(e);
}
