/**
 * The raw response of one SDK call. `@google/genai` has no `asResponse()`, but it takes a `fetch` per request
 * (`httpOptions.fetch`): this one sends the request with `httpFetch` (less held per open stream than the global
 * fetch), keeps a successful streamed response for our reader and hands the SDK the same status and headers with an
 * empty body. Failed responses go to the SDK whole,
 * so its errors (and its retries of 429 and 5xx) stay the SDK's.
 */
import { httpFetch } from '../../core/plugin-api/index.ts';

export class RawResponse {
  private response: Response | undefined;

  /** `signal` ends the body's reading too: the SDK's per-attempt signal lets go of the caller's once headers are in. */
  constructor(private readonly signal: AbortSignal) {}

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const signal = init?.signal ? AbortSignal.any([init.signal, this.signal]) : this.signal;
    const response = await httpFetch(input, { ...init, signal });
    if (!response.ok || !response.body) return response;
    // A retry after a kept response cannot happen (the SDK retries failures only), but a later one wins anyway.
    await this.response?.body?.cancel().catch(() => {});
    this.response = response;
    return new Response('', { status: response.status, statusText: response.statusText, headers: response.headers });
  };

  /** The kept response; the SDK call resolved without one only if it never succeeded (it throws then). */
  take(): Response {
    const response = this.response;
    this.response = undefined;
    if (!response) throw new Error('Gemini: no response body');
    return response;
  }
}
