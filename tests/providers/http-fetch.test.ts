/**
 * `httpFetch` (core/plugin-api/http-fetch.ts), the transport under the OpenAI SDK: the same SDK sends the same request
 * through it as through the global fetch, reads the same stream, the same errors, and aborts cut the connection.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import OpenAI from 'openai';
import { httpFetch, takeNodeBody } from '../../core/plugin-api/index.ts';
import { nodeBodyReader } from '../../plugins/provider-openai/node-body-reader.ts';
import { readChunks } from '../../plugins/provider-openai/read-chunks.ts';
import { startFakeOpenAI, type FakeProvider, type FakeTurn } from '../fakes/index.ts';

let fake: FakeProvider;
let turn: FakeTurn = { blocks: [{ type: 'text', text: 'Hello from the stand-in' }], usage: { input: 12, output: 5 } };

before(async () => {
  fake = await startFakeOpenAI(() => turn);
});
after(() => fake.close());

const clients = () => ({
  viaFetch: new OpenAI({ apiKey: 'sk-fake', baseURL: `${fake.url}/v1`, maxRetries: 0 }),
  viaHttp: new OpenAI({ apiKey: 'sk-fake', baseURL: `${fake.url}/v1`, maxRetries: 0, fetch: httpFetch }),
});

const params: OpenAI.Chat.ChatCompletionCreateParamsStreaming = {
  model: 'gpt-4o-mini',
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'Grüße — "quoted" \u2028 text' }],
  tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }],
};

/** Headers the global fetch adds on its own (not the SDK's): the only ones allowed to differ. */
const FETCH_OWN = new Set(['accept-encoding', 'accept-language', 'sec-fetch-mode', 'connection']);
const sdkHeaders = (headers: Record<string, unknown>) => Object.fromEntries(Object.entries(headers).filter(([k]) => !FETCH_OWN.has(k)));

async function bodyText(response: Response): Promise<string> {
  return new TextDecoder().decode(await response.arrayBuffer());
}

test('the SDK sends the same request through httpFetch as through the global fetch, and reads the same bytes', async () => {
  const { viaFetch, viaHttp } = clients();
  const a = await viaFetch.chat.completions.create(params).asResponse();
  const aText = await bodyText(a);
  const ra = fake.lastRequest!;
  const b = await viaHttp.chat.completions.create(params).asResponse();
  const bText = await bodyText(b);
  const rb = fake.lastRequest!;
  assert.equal(rb.method, ra.method);
  assert.equal(rb.path, ra.path);
  assert.deepEqual(rb.body, ra.body);
  assert.deepEqual(sdkHeaders(rb.headers), sdkHeaders(ra.headers));
  assert.equal(rb.headers.authorization, 'Bearer sk-fake');
  assert.equal(b.status, 200);
  assert.equal(b.headers.get('content-type'), a.headers.get('content-type'));
  // The stand-in numbers its answers; the rest of the bytes are the same.
  const unnumbered = (t: string) => t.replace(/chatcmpl-fake-\d+/g, 'chatcmpl-fake-N').replace(/"created":\d+/g, '"created":0');
  assert.equal(unnumbered(bText), unnumbered(aText));
  assert.match(bText, /"Hello fr"/);
  assert.match(bText, /\[DONE\]/);
});

test('an upstream error status comes back as the same SDK error', async () => {
  turn = { blocks: [], error: { status: 429, message: 'Rate limit reached for requests' } };
  try {
    const { viaFetch, viaHttp } = clients();
    const errorOf = (p: Promise<unknown>) => p.then(() => assert.fail('expected an error'), (e) => e);
    const ea = await errorOf(viaFetch.chat.completions.create(params));
    const eb = await errorOf(viaHttp.chat.completions.create(params));
    assert.ok(eb instanceof OpenAI.APIError);
    assert.equal(eb.status, ea.status);
    assert.equal(eb.message, ea.message);
    assert.equal(eb.constructor, ea.constructor);
  } finally {
    turn = { blocks: [{ type: 'text', text: 'Hello from the stand-in' }], usage: { input: 12, output: 5 } };
  }
});

test('an aborted signal rejects before sending, and an abort mid-body errors the body and closes the connection', async () => {
  const { viaHttp } = clients();
  const early = new AbortController();
  early.abort();
  const sent = fake.requests.length;
  await assert.rejects(httpFetch(`${fake.url}/v1/chat/completions`, { method: 'POST', body: '{}', signal: early.signal }), { name: 'AbortError' });
  assert.equal(fake.requests.length, sent, 'an aborted request was sent');

  turn = { blocks: [{ type: 'text', text: 'This answer never finishes' }], hang: true };
  try {
    const controller = new AbortController();
    const response = await viaHttp.chat.completions.create(params, { signal: controller.signal }).asResponse();
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await assert.rejects(
      (async () => {
        for (;;) if ((await reader.read()).done) break;
      })(),
    );
    await fake.closed(); // the stand-in saw the request cut, not left hanging
    assert.equal(fake.openResponses(), 0);
  } finally {
    turn = { blocks: [{ type: 'text', text: 'Hello from the stand-in' }], usage: { input: 12, output: 5 } };
  }
});

test('a response body taken as its Node stream reads the same bytes, once; the web body of a taken or read one is not handed out', async () => {
  const { viaHttp } = clients();
  const web = await bodyText(await viaHttp.chat.completions.create(params).asResponse());
  const response = await viaHttp.chat.completions.create(params).asResponse();
  const node = takeNodeBody(response);
  assert.ok(node, 'an unread httpFetch body is handed out');
  assert.equal(takeNodeBody(response), undefined, 'taken twice');
  await assert.rejects(response.text(), 'the web body of a taken response still read');
  const reader = nodeBodyReader(node);
  const pieces: Uint8Array[] = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) pieces.push(r.value);
  const unnumbered = (t: string) => t.replace(/chatcmpl-fake-\d+/g, 'chatcmpl-fake-N').replace(/"created":\d+/g, '"created":0');
  assert.equal(unnumbered(new TextDecoder().decode(Buffer.concat(pieces))), unnumbered(web));
  // A body already read through its web stream stays the web stream's; a Response not made by httpFetch has none.
  const read = await viaHttp.chat.completions.create(params).asResponse();
  await read.body!.getReader().read();
  assert.equal(takeNodeBody(read), undefined);
  assert.equal(takeNodeBody(new Response('data: [DONE]\n\n')), undefined);
});

test('the provider reads the same chunks from a taken Node body as from the web body, and an abort mid-body ends it', async () => {
  const { viaHttp } = clients();
  const viaWeb: object[] = [];
  // The same body wrapped in a Response httpFetch did not make: read through its web stream.
  const webResponse = new Response((await viaHttp.chat.completions.create(params).asResponse()).body);
  for await (const chunk of readChunks(webResponse)) viaWeb.push({ ...chunk, id: '', created: 0 });
  const viaNode: object[] = [];
  for await (const chunk of readChunks(await viaHttp.chat.completions.create(params).asResponse())) viaNode.push({ ...chunk, id: '', created: 0 });
  assert.ok(viaNode.length > 2);
  assert.deepEqual(viaNode, viaWeb);

  turn = { blocks: [{ type: 'text', text: 'This answer never finishes' }], hang: true };
  try {
    const controller = new AbortController();
    const response = await viaHttp.chat.completions.create(params, { signal: controller.signal }).asResponse();
    const chunks = readChunks(response);
    await chunks.next();
    controller.abort();
    await assert.rejects(
      (async () => {
        for (;;) if ((await chunks.next()).done) break;
      })(),
    );
    await fake.closed();
    assert.equal(fake.openResponses(), 0);
  } finally {
    turn = { blocks: [{ type: 'text', text: 'Hello from the stand-in' }], usage: { input: 12, output: 5 } };
  }
});

/** A one-off local server for the transport's edge cases (not a provider stand-in). */
async function edgeServer(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) };
}

test('redirects are followed as fetch follows them; an encoded body is decoded; a 204 has no body', async () => {
  const server = await edgeServer((req, res) => {
    if (req.url === '/old') return void res.writeHead(307, { location: '/new' }).end();
    if (req.url === '/new') return void req.on('data', () => {}).on('end', () => res.end(`moved ${req.method}`));
    if (req.url === '/gzip') return void res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('data: decoded\n\n'));
    res.writeHead(204).end();
  });
  try {
    const moved = await httpFetch(`${server.url}/old`, { method: 'POST', body: '{"a":1}' });
    assert.equal(moved.status, 200);
    assert.equal(await moved.text(), 'moved POST');
    assert.equal(await (await httpFetch(`${server.url}/gzip`)).text(), 'data: decoded\n\n');
    const empty = await httpFetch(`${server.url}/none`);
    assert.equal(empty.status, 204);
    assert.equal(empty.body, null);
  } finally {
    await server.close();
  }
});

test('a connection failure rejects as fetch does (TypeError), and what it does not cover goes to the global fetch', async () => {
  const server = await edgeServer((req, res) => void req.on('data', () => {}).on('end', () => res.end(`got ${req.headers['content-type'] ?? ''}`)));
  const port = new URL(server.url).port;
  try {
    // A streamed body is fetch's job: it still arrives.
    const stream = new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode('x')), c.close()) });
    const r = await httpFetch(`${server.url}/s`, { method: 'POST', body: stream, headers: { 'content-type': 'text/plain' }, duplex: 'half' } as RequestInit);
    assert.equal(await r.text(), 'got text/plain');
    const viaRequest = await httpFetch(new Request(`${server.url}/r`));
    assert.equal(await viaRequest.text(), 'got ');
  } finally {
    await server.close();
  }
  await assert.rejects(httpFetch(`http://127.0.0.1:${port}/gone`), (e: any) => e instanceof TypeError && e.message === 'fetch failed');
});

test('a burst written as 500 chunks reaches the reader whole, in a few reads (one per network read), not 500', async () => {
  const frames = Array.from({ length: 500 }, (_, i) => `data: {"n":${i},"text":"tok${i % 97} "}\n\n`);
  const server = await edgeServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const f of frames) res.write(f); // chunked encoding: one chunk per write
    res.end();
  });
  try {
    const response = await httpFetch(`${server.url}/burst`);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let reads = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      reads++;
      text += decoder.decode(value, { stream: true });
    }
    assert.equal(text, frames.join(''));
    assert.ok(reads <= 50, `${reads} reads for one burst`);
  } finally {
    await server.close();
  }
});
