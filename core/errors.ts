/**
 * Coded errors: one class, one place. A thrown `AppError` becomes `{ error, code, details? }` with its HTTP status;
 * anything else becomes a 500 with a generic message (the real one is logged, never sent).
 */
import { scrubSecrets } from './secret-scrubber.ts';

export class AppError extends Error {
  /** Marks the message as safe to show a client (Koa's convention). */
  readonly expose = true;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
    /** Extra top-level fields of the error body (e.g. `limit`, `plan`, `resetAt` of a 429). */
    readonly extra?: Record<string, unknown>,
  ) {
    // Messages are shown to clients: whatever they quote (an upstream error echoing a key) is scrubbed here, once.
    super(scrubSecrets(message));
    this.name = 'AppError';
  }
}

/** 400 — bad input; `details` lists the offending fields. */
export const badRequest = (message: string, details?: unknown, code = 'VALIDATION_ERROR') =>
  new AppError(400, code, message, details);
/** 401 — no or bad credentials. */
export const unauthorized = (message = 'Authentication required', code = 'UNAUTHORIZED') =>
  new AppError(401, code, message);
/** 403 — signed in but not allowed. */
export const forbidden = (message = 'Forbidden', code = 'FORBIDDEN') => new AppError(403, code, message);
/** 404 — unknown, or another user's object (never reveal that it exists). */
export const notFound = (message = 'Not found', code = 'NOT_FOUND') => new AppError(404, code, message);
/** 409 — conflicts with the current state. */
export const conflict = (message: string, code = 'CONFLICT') => new AppError(409, code, message);
/** 429 — too many requests. */
export const tooMany = (message: string, retryAfterSeconds: number, extra?: Record<string, unknown>) =>
  new AppError(429, 'RATE_LIMIT_EXCEEDED', message, undefined, { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) }, extra);

export function isAppError(e: unknown): e is AppError {
  return e instanceof Error && (e as AppError).name === 'AppError' && typeof (e as AppError).status === 'number';
}

/** A provider's key is missing, so no request was sent (503 `PROVIDER_NOT_CONFIGURED`). */
export function notConfigured(keyName: string): AppError {
  return new AppError(503, 'PROVIDER_NOT_CONFIGURED', `${keyName} is not set`);
}

/**
 * Wrap an upstream LLM-provider failure. The HTTP status is 502 whatever upstream said (the fault is not the caller's
 * request to us); the upstream status travels in `details` and picks the code: `PROVIDER_AUTH_FAILED`,
 * `PROVIDER_RATE_LIMITED`, `PROVIDER_BAD_REQUEST` or `PROVIDER_ERROR`.
 */
export function providerError(label: string, err: unknown): AppError {
  const e = err as { status?: unknown; message?: unknown };
  const status = typeof e?.status === 'number' ? e.status : undefined;
  const message = typeof e?.message === 'string' && e.message ? e.message : String(err);
  return new AppError(502, providerErrorCode(status), `${label}: ${message}`, { provider: label, upstreamStatus: status });
}

/** The error code for an upstream HTTP status. */
export function providerErrorCode(status: number | undefined): string {
  if (status === 401 || status === 403) return 'PROVIDER_AUTH_FAILED';
  if (status === 429) return 'PROVIDER_RATE_LIMITED';
  if (status === 400 || status === 404 || status === 422) return 'PROVIDER_BAD_REQUEST';
  return 'PROVIDER_ERROR';
}
