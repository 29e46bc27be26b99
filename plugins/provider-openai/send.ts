/**
 * Sends a streamed Chat Completions request and resolves with its raw response (status 2xx), as
 * `client.chat.completions.create(params, { signal }).asResponse()` does — with the first attempt's per-client parts
 * built once. The SDK builds its headers anew for every call (three `Headers` objects, each header checked and sorted
 * several times, a log record of them built whatever the log level): ~150 µs of CPU per call beside ~20 µs for the
 * same request sent as it is (issue #16's split of the added time to first token). The URL and headers are the SDK's
 * own, taken once per client from its public `buildRequest`; the body is the SDK's JSON. The answer's body is left as
 * its Node stream (`httpFetchNodeBody`), which `read-chunks.ts` reads without a web stream over it.
 *
 * What is not a plain success stays the SDK's: a status it would not retry becomes its own error class
 * (`APIError.generate`, as the SDK makes them); a status it would retry, a connection failure or a timeout waits as the
 * SDK waits before its first retry and then hands the call to the SDK with one retry fewer — the same attempts, in
 * the same rhythm, with the same errors at the end. (Only its `x-stainless-retry-count` header counts from the
 * SDK's own first attempt, this call's second.)
 */
import type OpenAI from 'openai';
import { httpFetchNodeBody } from '../../core/plugin-api/index.ts';

type Params = OpenAI.Chat.ChatCompletionCreateParamsStreaming;

/** A client's first-attempt parts: the URL, its headers (key, user agent, SDK identification), its limits. */
interface FirstAttempt {
  url: string;
  headers: Headers;
  timeout: number;
  maxRetries: number;
}

const attempts = new WeakMap<OpenAI, Promise<FirstAttempt>>();

/** The SDK's own request for this client, built once (a client is one key and base URL: `client-cache.ts`). */
function firstAttempt(client: OpenAI): Promise<FirstAttempt> {
  let parts = attempts.get(client);
  if (!parts) {
    parts = client.buildRequest({ method: 'post', path: '/chat/completions', body: {} }).then(({ url, req, timeout }) => {
      // A `Headers` kept for the client: httpFetch reads one as it is, where a plain object would be checked and
      // sorted into a new `Headers` on every call (~9 KB allocated per call in the open-streams burst's heap profile).
      const headers = new Headers(req.headers);
      // The body's length is the request's own (httpFetch sets it).
      headers.delete('content-length');
      return { url, headers, timeout, maxRetries: client.maxRetries };
    });
    attempts.set(client, parts);
  }
  return parts;
}

/** Whether the SDK retries this response: its `x-should-retry` says so, or a timeout, conflict, rate limit or 5xx. */
function retryable(response: Response): boolean {
  const should = response.headers.get('x-should-retry');
  if (should === 'true') return true;
  if (should === 'false') return false;
  const { status } = response;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** How long the SDK waits before its first retry: what the server asked for (under a minute), else about half a second. */
function firstRetryDelay(headers: Headers | undefined): number {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  let wait = Number.isNaN(ms) ? undefined : ms;
  const after = headers?.get('retry-after');
  if (wait === undefined && after) {
    const seconds = Number.parseFloat(after);
    wait = Number.isNaN(seconds) ? Date.parse(after) - Date.now() : seconds * 1000;
  }
  if (wait !== undefined && wait >= 0 && wait < 60_000) return wait;
  return 500 * (1 - Math.random() * 0.25);
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Thrown by the first attempt's timer: the SDK's timeout of a request whose head did not come. */
class HeadTimeout extends Error {}

/**
 * The call's 2xx response; a failure throws what the SDK throws (the caller wraps it as a coded error). A success of
 * the first attempt has no web body: its body is its Node stream, for `readChunkBatches` (`takeNodeBody`); one that
 * came through the SDK's retries has its web body as usual.
 */
export async function sendChat(client: OpenAI, params: Params, signal: AbortSignal): Promise<Response> {
  const first = await firstAttempt(client);
  if (first.maxRetries < 1) return client.chat.completions.create(params, { signal }).asResponse();
  // The request follows the caller's signal, and ends if its head takes longer than the SDK's timeout.
  const controller = new AbortController();
  const follow = () => controller.abort(signal.reason);
  signal.addEventListener('abort', follow, { once: true });
  const timer = setTimeout(() => controller.abort(new HeadTimeout('timed out')), first.timeout);
  let response: Response | undefined;
  try {
    // A success's body is read from its Node stream (`read-chunks.ts`), so it comes without a web body.
    response = await httpFetchNodeBody(first.url, { method: 'POST', headers: first.headers, body: JSON.stringify(params), signal: controller.signal });
  } catch (error) {
    if (signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
  }
  // Past the head, the caller's signal ends the body through this request's own signal (httpFetchNodeBody listens to it).
  if (response?.ok) return response;
  signal.removeEventListener('abort', follow);
  if (response && !retryable(response)) {
    const text = await response.text().catch((error: unknown) => String((error as Error)?.message ?? error));
    let json: object | undefined;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const { APIError } = await import('openai');
    throw APIError.generate(response.status, json, json ? undefined : text, response.headers);
  }
  await response?.body?.cancel().catch(() => {});
  await pause(firstRetryDelay(response?.headers), signal);
  if (signal.aborted) throw signal.reason;
  return client.chat.completions.create(params, { signal, maxRetries: first.maxRetries - 1 }).asResponse();
}
