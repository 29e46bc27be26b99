/**
 * Coded errors of this provider. Every failure leaves `stream()` as an `AppError`, so the agent loop can put a stable
 * `code` on its `error` event whatever SDK threw it.
 */
import { AppError } from '../../core/plugin-api/index.ts';

/** The provider's key is missing, so no request was sent. */
export function notConfigured(keyName: string): AppError {
  return new AppError(503, 'PROVIDER_NOT_CONFIGURED', `${keyName} is not set`);
}

/**
 * Wrap an upstream failure. The HTTP status is 502 whatever upstream said (the fault is not the caller's request to
 * us); the upstream status travels in `details` and picks the code.
 */
export function providerError(label: string, err: unknown): AppError {
  const e = err as { status?: unknown; message?: unknown };
  const status = typeof e?.status === 'number' ? e.status : undefined;
  const message = typeof e?.message === 'string' && e.message ? e.message : String(err);
  return new AppError(502, codeFor(status), `${label}: ${message}`, { provider: label, upstreamStatus: status });
}

function codeFor(status: number | undefined): string {
  if (status === 401 || status === 403) return 'PROVIDER_AUTH_FAILED';
  if (status === 429) return 'PROVIDER_RATE_LIMITED';
  if (status === 400 || status === 404 || status === 422) return 'PROVIDER_BAD_REQUEST';
  return 'PROVIDER_ERROR';
}
