/**
 * Coded errors of this provider. Every failure leaves `stream()` as an `AppError`, so the agent loop can put a stable
 * `code` on its `error` event whatever the client library threw.
 */
import { AppError } from '../../core/plugin-api/index.ts';

/**
 * Wrap an upstream failure. The HTTP status is 502 whatever Ollama said; its status travels in `details` and picks
 * the code. An unreachable server (not running, wrong `OLLAMA_HOST`) says so.
 */
export function providerError(host: string, err: unknown): AppError {
  const e = err as { status_code?: unknown; error?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
  const status = typeof e?.status_code === 'number' ? e.status_code : undefined;
  // fetch says only "fetch failed" when no HTTP answer came at all; the reason is in `cause`.
  if (status === undefined && err instanceof TypeError && e.message === 'fetch failed') {
    const why = String(e.cause?.code ?? e.cause?.message ?? 'no answer');
    return new AppError(502, 'PROVIDER_UNREACHABLE', `Ollama: cannot reach ${host} (${why})`, { provider: 'Ollama' });
  }
  const message = typeof e?.error === 'string' ? e.error : typeof e?.message === 'string' ? e.message : String(err);
  const code = status === 404 ? 'PROVIDER_MODEL_NOT_FOUND' : status === 400 ? 'PROVIDER_BAD_REQUEST' : 'PROVIDER_ERROR';
  return new AppError(502, code, `Ollama: ${message}`, { provider: 'Ollama', upstreamStatus: status });
}
