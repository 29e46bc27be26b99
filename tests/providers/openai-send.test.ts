/**
 * `sendChat` (plugins/provider-openai/send.ts), the first attempt of a streamed call sent with the SDK's request built
 * once per client: byte for byte the SDK's request, and what is not a success stays the SDK's — its error classes for
 * statuses it does not retry, its retries (count, header, rhythm) for those it does and for connection failures.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import OpenAI from 'openai';
import { httpFetch, takeNodeBody } from '../../core/plugin-api/index.ts';
import { sendChat } from '../../plugins/provider-openai/send.ts';

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** How the stand-in answers the n-th request (0-based); by default a stream that is only `[DONE]`. */
let answer: (n: number, res: ServerResponse) => void;
let seen: Seen[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    seen.push({ method: req.method, url: req.url, headers: req.headers, body });
    answer(seen.length - 1, res);
  });
});
let base = '';

const ok = (res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end('data: {"choices":[]}\n\ndata: [DONE]\n\n');
};

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
after(() => server.close());
beforeEach(() => {
  seen = [];
  answer = (_n, res) => ok(res);
});

const params: OpenAI.Chat.ChatCompletionCreateParamsStreaming = {
  model: 'gpt-4o-mini',
  stream: true,
  stream_options: { include_usage: true },
  max_tokens: 100,
  messages: [{ role: 'user', content: 'hi — ü' }],
};
const client = (opts: { maxRetries?: number } = {}) => new OpenAI({ apiKey: 'sk-test', baseURL: base, fetch: httpFetch, ...opts });
const signal = () => new AbortController().signal;
/** A response's body text: a success of ours comes as its Node stream (no web body), the SDK's through its web body. */
async function bodyText(response: Response): Promise<string> {
  const node = takeNodeBody(response);
  if (!node) return response.text();
  let text = '';
  for await (const piece of node) text += piece;
  return text;
}
const without = (h: IncomingHttpHeaders, ...names: string[]) => Object.fromEntries(Object.entries(h).filter(([k]) => !names.includes(k)));

test('sends the request the SDK sends: method, path, headers in order, body', async () => {
  const c = client();
  await (await c.chat.completions.create(params, { signal: signal() }).asResponse()).text();
  // Twice: the second call uses the parts built by the first.
  for (let i = 0; i < 2; i++) {
    const response = await sendChat(c, params, signal());
    assert.equal(response.body, null, 'a success of ours is read from its Node stream, without a web body');
    assert.equal(await bodyText(response), 'data: {"choices":[]}\n\ndata: [DONE]\n\n');
  }
  assert.equal(seen.length, 3);
  const [sdk, ...ours] = seen;
  for (const s of ours) {
    assert.deepEqual({ ...s, headers: without(s.headers, 'host') }, { ...sdk, headers: without(sdk.headers, 'host') });
    assert.deepEqual(Object.keys(s.headers), Object.keys(sdk.headers));
  }
});

test('a status the SDK does not retry is its own error class, after one request', async () => {
  answer = (_n, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }));
  };
  const c = client();
  const sdkError = await c.chat.completions.create(params, { signal: signal() }).asResponse().catch((e: unknown) => e);
  const ourError = await sendChat(c, params, signal()).catch((e: unknown) => e);
  assert.equal(seen.length, 2);
  assert.ok(ourError instanceof OpenAI.AuthenticationError);
  assert.equal((ourError as InstanceType<typeof OpenAI.APIError>).constructor, (sdkError as object).constructor);
  for (const key of ['status', 'message', 'code', 'type'] as const) assert.equal((ourError as any)[key], (sdkError as any)[key], key);
});

test('a body that is not JSON keeps its text as the message, as the SDK does', async () => {
  answer = (_n, res) => {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end('no such model');
  };
  const c = client();
  const sdkError: any = await c.chat.completions.create(params, { signal: signal() }).asResponse().catch((e: unknown) => e);
  const ourError: any = await sendChat(c, params, signal()).catch((e: unknown) => e);
  assert.ok(ourError instanceof OpenAI.BadRequestError);
  assert.equal(ourError.message, sdkError.message);
});

test('a status the SDK retries goes on through the SDK, with one retry fewer and the wait the server asked for', async () => {
  answer = (n, res) => {
    if (n < 2) {
      res.writeHead(n === 0 ? 429 : 503, { 'content-type': 'application/json', 'retry-after-ms': '5' });
      res.end(JSON.stringify({ error: { message: 'busy' } }));
    } else ok(res);
  };
  const response = await sendChat(client(), params, signal());
  assert.equal(response.status, 200);
  assert.equal(seen.length, 3);
  assert.ok(seen.every((s) => s.body === seen[0].body));
  // The SDK numbers the attempts it makes itself (its first is this call's second).
  assert.deepEqual(
    seen.map((s) => s.headers['x-stainless-retry-count']),
    ['0', '0', '1'],
  );
});

test('retries run out as the SDK\'s do: three attempts in all, then its error', async () => {
  answer = (_n, res) => {
    res.writeHead(500, { 'content-type': 'application/json', 'retry-after-ms': '1' });
    res.end(JSON.stringify({ error: { message: 'The server had an error' } }));
  };
  const error: any = await sendChat(client(), params, signal()).catch((e: unknown) => e);
  assert.equal(seen.length, 3);
  assert.ok(error instanceof OpenAI.InternalServerError);
  assert.match(error.message, /server had an error/);
});

test('a client without retries is the SDK\'s alone; an aborted wait ends the call without another request', async () => {
  answer = (_n, res) => {
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '30' });
    res.end('{}');
  };
  const error = await sendChat(client({ maxRetries: 0 }), params, signal()).catch((e: unknown) => e);
  assert.ok(error instanceof OpenAI.InternalServerError);
  assert.equal(seen.length, 1);
  seen = [];
  const controller = new AbortController();
  const pending = sendChat(client(), params, controller.signal).catch((e: unknown) => e);
  while (!seen.length) await new Promise((r) => setTimeout(r, 5));
  controller.abort(new Error('client went away'));
  assert.match(String(await pending), /client went away/);
  assert.equal(seen.length, 1);
});

test('a connection failure is retried by the SDK and ends as its connection error', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const c = new OpenAI({ apiKey: 'sk-test', baseURL: `http://127.0.0.1:${port}/v1`, fetch: httpFetch, maxRetries: 1 });
  const error = await sendChat(c, params, signal()).catch((e: unknown) => e);
  assert.ok(error instanceof OpenAI.APIConnectionError, String(error));
});
