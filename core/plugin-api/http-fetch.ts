/**
 * A `fetch` for provider SDKs over `node:http`/`node:https` with keep-alive agents, for long streamed answers.
 *
 * Why: undici's `fetch` keeps a fetch controller, a cloned request whose body stream is teed (the default redirect mode
 * makes it keep a copy for a redirect that never comes), and a chain of web streams per response — ~16 KB of heap per
 * open stream, which 1,000 open chat streams hold at once (issue #16's heap diff). This builds the same request the SDK
 * asked for and hands back a standard `Response` over the socket's body stream. The SDKs keep building, sending,
 * retrying and typing their requests; only the transport below them changes.
 *
 * It covers what a provider SDK sends (a string or bytes body, http/https, no proxy). Anything else — a `Request`
 * object, a streamed or form body, a proxy in the environment, a redirect — is handed to the global `fetch`, so the
 * behaviour is fetch's.
 */
import type http from 'node:http';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';

/** Socket options of both agents: keep-alive (one connection per concurrent stream, reused) and no Nagle delay. */
const AGENT_OPTIONS = { keepAlive: true, noDelay: true, scheduling: 'lifo' } as const;
type Scheme = 'http:' | 'https:';

/**
 * Each scheme's module and agent, on its first request. Through `require`, not an ES import: the ES facade of
 * `node:http` reads every export, its `WebSocket` getter among them, which loads undici, and `node:https` brings tls —
 * neither is needed by a server that has not called a provider yet (issue #16, tests/plugin-set/lazy-start.test.ts).
 */
const transports: Partial<Record<Scheme, { module: typeof http; agent: http.Agent }>> = {};
function transport(scheme: Scheme): { module: typeof http; agent: http.Agent } {
  let t = transports[scheme];
  if (!t) {
    const module = createRequire(import.meta.url)(scheme === 'https:' ? 'node:https' : 'node:http') as typeof http;
    t = transports[scheme] = { module, agent: new module.Agent(AGENT_OPTIONS) };
  }
  return t;
}

/** Statuses whose response has no body by definition (`new Response` refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
const REDIRECT = new Set([301, 302, 303, 307, 308]);
const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/** The body when it is one this transport sends as it is; `false` for anything else (fetch handles it). */
function plainBody(body: RequestInit['body']): string | Uint8Array | undefined | false {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  return false;
}

/**
 * The request's headers as a plain object, with the length of a body (fetch sends one too). The SDKs hand over a
 * `Headers` already (names lowered, values checked), which is read as it is: copying it into a new `Headers` first
 * checked and sorted every header once more per request (issue #16's profile of the request path).
 */
function requestHeaders(init: RequestInit, body: string | Uint8Array | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const given = init.headers;
  (given instanceof Headers ? given : new Headers(given)).forEach((value, name) => (out[name] = value));
  if (body !== undefined) out['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  return out;
}

/** The signal's reason, as fetch rejects with it (a `DOMException` named `AbortError` when none was given). */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** The decoded body stream, as fetch decodes `Content-Encoding` (servers should not encode: none is asked for). */
function decoded(res: http.IncomingMessage): Readable {
  const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? zlib.createGunzip() : encoding === 'deflate' ? zlib.createInflate() : encoding === 'br' ? zlib.createBrotliDecompress() : undefined;
  if (!decoder) return res;
  res.on('error', (error) => decoder.destroy(error));
  return res.pipe(decoder);
}

/**
 * The decoded Node body of each response made here, until a reader takes it (`takeNodeBody`) or its web body starts.
 * A WeakMap: an entry lives as long as its `Response`.
 */
const nodeBodies = new WeakMap<Response, { source: Readable; web: { started: boolean; taken: boolean } }>();

/**
 * The body as a web stream with one chunk per network read. The HTTP parser emits one `data` event per chunk of the
 * chunked encoding — a burst of 500 SSE frames is 500 events from one socket read — and a web stream chunk per event
 * meant a read, a promise and a decode each: twice the server's CPU per streamed answer of undici's fetch, which
 * hands on a read at once. The pieces of one read are joined after the parser is done with it (a microtask later).
 *
 * The stream listens to the socket only from its first read (`highWaterMark` 0: no pull before one), so a reader that
 * takes the Node body instead (`takeNodeBody`) finds it untouched.
 */
function bodyStream(source: Readable, state: { started: boolean; taken: boolean }): ReadableStream<Uint8Array> {
  let parts: Buffer[] = [];
  let queued = false;
  let settled = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const hand = () => {
    queued = false;
    if (settled || !parts.length) return;
    const chunk = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    parts = [];
    controller.enqueue(chunk);
    // Backpressure: the socket waits while a chunk is queued that no read asked for yet.
    if ((controller.desiredSize ?? 0) < 0) source.pause();
  };
  const listen = () => {
    // Ended by an abort or a failure before the first read: its error event is gone, so it is read off the stream.
    if (source.destroyed) {
      settled = true;
      controller.error(source.errored ?? new Error('aborted'));
      return;
    }
    source.on('data', (chunk: Buffer) => {
      parts.push(chunk);
      if (!queued) {
        queued = true;
        queueMicrotask(hand);
      }
    });
    source.once('end', () => {
      hand();
      if (!settled) (settled = true), controller.close();
    });
    source.once('error', (error) => {
      parts = [];
      if (!settled) (settled = true), controller.error(error);
    });
  };
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull() {
        if (state.taken) return controller.error(new TypeError('the body was taken as a Node stream'));
        if (!state.started) {
          state.started = true;
          listen();
        }
        source.resume();
      },
      cancel() {
        settled = true;
        parts = [];
        source.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * The Node stream of a response `httpFetch` made, decoded, when its web body was not started: a reader of its own
 * reads the socket's chunks without a web stream, its reads, promises and queue between (`readChunkBatches` of the
 * OpenAI provider). Taken once; the web body of a taken response errors. `undefined` for any other response (global
 * fetch's, one built in a test, one whose body was read): read `response.body` then.
 */
export function takeNodeBody(response: Response): Readable | undefined {
  const entry = nodeBodies.get(response);
  if (!entry || entry.web.started || entry.web.taken || response.bodyUsed) return undefined;
  entry.web.taken = true;
  nodeBodies.delete(response);
  return entry.source;
}

/**
 * The response over the body stream. Its headers go to `Response` as name/value pairs, which it checks and stores
 * once; a `Headers` built here first was checked, stored, then copied (and checked) again by `Response`.
 */
function toResponse(res: http.IncomingMessage, method: string, nodeBody: boolean): Response {
  const headers: Array<[string, string]> = [];
  const raw = res.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.push([raw[i], raw[i + 1]]);
  const status = res.statusCode ?? 0;
  const noBody = NULL_BODY.has(status) || method === 'HEAD';
  if (noBody) res.resume();
  if (noBody) return new Response(null, { status, statusText: res.statusMessage, headers });
  const source = decoded(res);
  const web = { started: false, taken: false };
  // A success for a caller that takes the Node body: no web stream (queue, controller, closures) is built for it.
  const webBody = nodeBody && status >= 200 && status < 300 ? null : bodyStream(source, web);
  const response = new Response(webBody, { status, statusText: res.statusMessage, headers });
  nodeBodies.set(response, { source, web });
  return response;
}

/**
 * Send the request; resolves with the response head (a redirect resolves `undefined`: fetch follows it). The body and
 * `init` stay out of the closures below, which live as long as the response: they would keep a copy of every request
 * body (system prompt and history) for the length of its stream.
 */
function send(url: URL, init: RequestInit, body: string | Uint8Array | undefined, nodeBody: boolean): Promise<Response | undefined> {
  const method = (init.method ?? 'GET').toUpperCase();
  const { module, agent } = transport(url.protocol as Scheme);
  const req = module.request(url, { method, headers: requestHeaders(init, body), agent });
  const response = responseOf(req, method, init.redirect !== 'manual', init.signal ?? undefined, nodeBody);
  req.end(body);
  return response;
}

function responseOf(req: http.ClientRequest, method: string, follow: boolean, signal: AbortSignal | undefined, nodeBody: boolean): Promise<Response | undefined> {
  return new Promise((resolve, reject) => {
    // Aborting ends the request, or the body's stream once the head is in (as fetch errors its body).
    const onAbort = () => req.destroy(abortReason(signal!) as Error);
    signal?.addEventListener('abort', onAbort, { once: true });
    req.once('close', () => signal?.removeEventListener('abort', onAbort));
    req.once('error', (error) => reject(signal?.aborted ? abortReason(signal) : new TypeError('fetch failed', { cause: error })));
    req.once('response', (res) => {
      res.once('error', () => undefined); // an error after the head reaches the reader of the body stream
      if (follow && REDIRECT.has(res.statusCode ?? 0) && res.headers.location) {
        res.resume();
        resolve(undefined);
        return;
      }
      resolve(toResponse(res, method, nodeBody));
    });
  });
}

/**
 * `fetch` over `node:http`/`node:https` keep-alive agents; falls back to the global `fetch` for what it does not
 * cover. Pass it as a provider SDK's `fetch` option.
 *
 * @example
 * new OpenAI({ apiKey, fetch: httpFetch });
 */
export function httpFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  return fetchOver(input, init, false);
}

/**
 * `httpFetch` for a caller that reads a success's body with `takeNodeBody`: a 2xx response it makes has no web body
 * (`body` is null), so none is built per call. Any other status, and anything the global `fetch` answers, comes with
 * its web body as usual (`takeNodeBody` then finds nothing: read `response.body`).
 */
export function httpFetchNodeBody(input: string | URL, init: RequestInit = {}): Promise<Response> {
  return fetchOver(input, init, true);
}

async function fetchOver(input: string | URL | Request, init: RequestInit, nodeBody: boolean): Promise<Response> {
  const body = plainBody(init.body);
  const url = typeof input === 'string' || input instanceof URL ? new URL(input) : undefined;
  const proxied = PROXY_VARS.some((name) => process.env[name]);
  if (!url || body === false || proxied || (url.protocol !== 'http:' && url.protocol !== 'https:')) return fetch(input, init);
  if (init.signal?.aborted) throw abortReason(init.signal);
  return (await send(url, init, body, nodeBody)) ?? fetch(input, init);
}
