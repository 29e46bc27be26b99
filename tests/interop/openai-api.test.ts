/**
 * The OpenAI-compatible API driven by the official `openai` SDK, as any OpenAI client would: models, plain and
 * streaming completions (usage, `[DONE]`), client tools round trip, images, the full agent (`aion`), OpenAI-shaped
 * errors, plan limits with rate-limit headers.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { startFakeOpenAI, type FakeProvider, type FakeTurn } from '../fakes/index.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
let fake: FakeProvider;
let turn: FakeTurn = {};
let admin: { token: string };
let client: OpenAI;

const WEATHER = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
const PIXEL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

before(async () => {
  fake = await startFakeOpenAI(() => turn);
  s = await startServer({ env: fake.env });
  admin = await s.signup();
  client = new OpenAI({ apiKey: admin.token, baseURL: `${s.url}/v1`, maxRetries: 0 });
});
after(async () => {
  await s?.dispose();
  await fake?.close();
});

test('GET /v1/models lists aion and every model of the configured providers', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m);
  const byId = new Map(ids.map((m) => [m.id, m]));
  assert.equal(byId.get('aion')?.owned_by, 'aion');
  assert.equal(byId.get('echo-1')?.owned_by, 'echo');
  assert.equal(byId.get('gpt-4.1')?.owned_by, 'openai');
  assert.equal(byId.get('gpt-4.1')?.object, 'model');
  assert.ok(!byId.has('claude-sonnet-4-5'), 'a provider without a key is not listed');
});

test('a plain completion through the echo provider', async () => {
  const r = await client.chat.completions.create({ model: 'echo-1', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hello there friend' }] });
  assert.equal(r.object, 'chat.completion');
  assert.match(r.id, /^chatcmpl-/);
  assert.equal(r.model, 'echo-1');
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.equal(r.choices[0].message.content, 'hello there friend');
  assert.equal(r.choices[0].finish_reason, 'stop');
  assert.ok(r.usage!.prompt_tokens > 0 && r.usage!.completion_tokens === 3);
  assert.equal(r.usage!.total_tokens, r.usage!.prompt_tokens + r.usage!.completion_tokens);
});

test('streaming with include_usage: deltas, finish chunk, a usage chunk with no choices', async () => {
  const stream = await client.chat.completions.create({ model: 'echo-1', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'one two three four five' }] });
  let text = '';
  const chunks = [];
  for await (const c of stream) {
    chunks.push(c);
    text += c.choices[0]?.delta?.content ?? '';
  }
  assert.equal(text, 'one two three four five');
  assert.ok(chunks.length >= 4, 'several content chunks');
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  const finish = chunks.find((c) => c.choices[0]?.finish_reason);
  assert.equal(finish?.choices[0].finish_reason, 'stop');
  const last = chunks[chunks.length - 1];
  assert.deepEqual(last.choices, []);
  assert.equal(last.usage?.completion_tokens, 5);
  // The raw wire ends with the terminator OpenAI clients wait for.
  const raw = await fetch(`${s.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'echo-1', stream: true, messages: [{ role: 'user', content: 'hi' }] }) });
  assert.match(raw.headers.get('content-type') ?? '', /text\/event-stream/);
  const body = await raw.text();
  assert.ok(body.trimEnd().endsWith('data: [DONE]'));
  assert.ok(!/"usage":\{/.test(body), 'no usage chunk unless asked for');
});

/** The raw head of a streamed completion, read off the socket (fetch would merge repeated headers). */
async function rawHead(url: string, token: string, model: string, connection: string): Promise<Array<[string, string]>> {
  const { hostname, port } = new URL(url);
  const body = JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] });
  const socket = connect(Number(port), hostname);
  socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: ${connection}\r\n\r\n${body}`);
  let data = '';
  for await (const chunk of socket) {
    data += chunk;
    if (data.includes('\r\n\r\n')) break;
  }
  socket.destroy();
  const [status, ...lines] = data.split('\r\n\r\n')[0].split('\r\n');
  assert.match(status, /^HTTP\/1\.1 200/);
  return lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]);
}

test('a streamed answer sends each header once, and honours Connection: close', async () => {
  const user = await s.signup(); // on the free plan: X-RateLimit-* headers are set before the stream starts
  for (const model of ['echo-1', 'aion']) {
    for (const connection of ['keep-alive', 'close']) {
      const head = await rawHead(s.url, user.token, model, connection);
      const names = head.map(([n]) => n);
      assert.deepEqual(names.filter((n, i) => names.indexOf(n) !== i), [], `${model}/${connection}: repeated headers in ${JSON.stringify(head)}`);
      const get = (n: string) => head.find(([k]) => k === n)?.[1];
      assert.equal(get('content-type'), 'text/event-stream; charset=utf-8');
      assert.equal(get('cache-control'), 'no-cache, no-transform');
      assert.ok(get('x-ratelimit-remaining'), 'the quota headers set before the stream are kept');
      assert.ok(get('x-request-id'));
      assert.equal(get('connection'), connection, 'the connection header matches what the client asked for');
    }
  }
});

test('client tools come back as tool_calls; tool results sent back are passed on', async () => {
  const first = await client.chat.completions.create({ model: 'echo-1', tools: [WEATHER], messages: [{ role: 'user', content: '/tool get_weather {"city":"Paris"}' }] });
  const choice = first.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  const call = choice.message.tool_calls![0] as any;
  assert.equal(call.type, 'function');
  assert.equal(call.function.name, 'get_weather');
  assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });
  const second = await client.chat.completions.create({
    model: 'echo-1', tools: [WEATHER],
    messages: [
      { role: 'user', content: '/tool get_weather {"city":"Paris"}' },
      { role: 'assistant', content: null, tool_calls: [call] },
      { role: 'tool', tool_call_id: call.id, content: 'sunny, 21 C' },
    ],
  });
  assert.equal(second.choices[0].finish_reason, 'stop');
  assert.equal(second.choices[0].message.content, 'Tool result: sunny, 21 C');
  // Streamed, the call arrives as a tool_calls delta.
  const stream = await client.chat.completions.create({ model: 'echo-1', stream: true, tools: [WEATHER], messages: [{ role: 'user', content: '/tool get_weather {"city":"Oslo"}' }] });
  const deltas = [];
  for await (const c of stream) if (c.choices[0]) deltas.push(c.choices[0]);
  assert.equal(deltas.find((d) => d.delta.tool_calls)?.delta.tool_calls?.[0].function?.name, 'get_weather');
  assert.equal(deltas[deltas.length - 1].finish_reason, 'tool_calls');
});

test('a model routed to the OpenAI provider: text, tools and images reach it, tool calls come back', async () => {
  turn = { blocks: [{ type: 'text', text: 'Bonjour from the fake' }], usage: { input: 12, output: 4 } };
  const r = await client.chat.completions.create({
    model: 'gpt-4.1',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this image?' }, { type: 'image_url', image_url: { url: PIXEL } }] }],
  });
  assert.equal(r.choices[0].message.content, 'Bonjour from the fake');
  assert.deepEqual([r.usage!.prompt_tokens, r.usage!.completion_tokens], [12, 4]);
  const sent = JSON.stringify(fake.lastRequest!.body.messages);
  assert.ok(sent.includes('What is in this image?') && sent.includes('iVBORw0KGgo'), 'the image part reached the provider');
  turn = { blocks: [{ type: 'tool_use', name: 'get_weather', input: { city: 'Lima' } }] };
  const t = await client.chat.completions.create({ model: 'gpt-4.1', tools: [WEATHER], tool_choice: 'auto', messages: [{ role: 'user', content: 'weather in Lima?' }] });
  assert.equal(t.choices[0].finish_reason, 'tool_calls');
  assert.deepEqual(JSON.parse((t.choices[0].message.tool_calls![0] as any).function.arguments), { city: 'Lima' });
  assert.equal(fake.lastRequest!.body.tools[0].function.name, 'get_weather');
  await client.chat.completions.create({ model: 'gpt-4.1', tools: [WEATHER], tool_choice: 'none', messages: [{ role: 'user', content: 'no tools' }] });
  assert.equal(fake.lastRequest!.body.tools, undefined, 'tool_choice none offers no tools');
});

test('model aion runs the full agent with its server tools', async () => {
  assert.equal((await s.api('POST', '/api/model', { token: admin.token, body: { model: 'echo-1' } })).status, 200);
  const r = await client.chat.completions.create({ model: 'aion', messages: [{ role: 'user', content: '/tool file_write {"path":"notes.txt","content":"from openai"}' }] });
  assert.equal(r.model, 'aion');
  assert.match(r.choices[0].message.content ?? '', /^Tool result: /);
  assert.equal(r.choices[0].message.tool_calls, undefined, 'server tools are not client tool calls');
  const read = await s.api('POST', '/api/files/read', { token: admin.token, body: { filePath: 'notes.txt' } });
  assert.equal(read.body.content, 'from openai');
  await assert.rejects(client.chat.completions.create({ model: 'aion', tools: [WEATHER], messages: [{ role: 'user', content: 'x' }] }), (e: any) => e.status === 400 && e.param === 'tools');
});

test('errors in OpenAI shape: bad key 401, no key 401, bad body 400 with param, unknown model 404', async () => {
  const bad = new OpenAI({ apiKey: 'not-a-token', baseURL: `${s.url}/v1`, maxRetries: 0 });
  await assert.rejects(bad.models.list(), (e: any) => e instanceof OpenAI.AuthenticationError && e.code === 'invalid_api_key');
  await assert.rejects(bad.chat.completions.create({ model: 'echo-1', messages: [{ role: 'user', content: 'x' }] }), OpenAI.AuthenticationError);
  const raw = await fetch(`${s.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(raw.status, 401);
  const body = await raw.json();
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(body.error.type, 'invalid_request_error');
  await assert.rejects(client.chat.completions.create({ model: 'echo-1', messages: [] }), (e: any) => e instanceof OpenAI.BadRequestError && e.param === 'messages');
  await assert.rejects(client.chat.completions.create({ model: 'echo-1', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }] }), (e: any) => e.status === 400 && e.code === 'invalid_image_url');
  await assert.rejects(client.chat.completions.create({ model: 'no-such-model-xyz', messages: [{ role: 'user', content: 'x' }] }), (e: any) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found');
  const garbage = await fetch(`${s.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' }, body: '[1,2]' });
  assert.equal(garbage.status, 400);
  assert.equal((await garbage.json()).error.type, 'invalid_request_error');
});

test('plan limits apply: rate-limit headers, then 429 in OpenAI shape', async () => {
  const user = await s.signup();
  const free = new OpenAI({ apiKey: user.token, baseURL: `${s.url}/v1`, maxRetries: 0 });
  const { response } = await free.chat.completions.create({ model: 'echo-1', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
  assert.equal(response.headers.get('x-ratelimit-limit'), '10');
  assert.equal(response.headers.get('x-ratelimit-remaining'), '9');
  for (let i = 0; i < 9; i++) await free.chat.completions.create({ model: 'echo-1', messages: [{ role: 'user', content: 'hi' }] });
  await assert.rejects(free.chat.completions.create({ model: 'echo-1', messages: [{ role: 'user', content: 'hi' }] }), (e: any) => {
    assert.ok(e instanceof OpenAI.RateLimitError);
    assert.equal(e.headers.get('x-ratelimit-remaining'), '0');
    assert.ok(Number(e.headers.get('retry-after')) >= 1);
    return true;
  });
  // A 400 costs nothing from the quota.
  const other = await s.signup();
  const o = new OpenAI({ apiKey: other.token, baseURL: `${s.url}/v1`, maxRetries: 0 });
  await assert.rejects(o.chat.completions.create({ model: 'echo-1', messages: [] }), OpenAI.BadRequestError);
  const ok = await o.chat.completions.create({ model: 'echo-1', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
  assert.equal(ok.response.headers.get('x-ratelimit-remaining'), '9');
});

test('the OpenAPI document marks /v1 with the bearer scheme, and every GET it lists as open or bearer answers so', async () => {
  const doc = (await s.api('GET', '/api/openapi.json')).body;
  assert.deepEqual(doc.paths['/v1/models'].get.security, [{ bearer: [] }]);
  assert.deepEqual(doc.paths['/v1/chat/completions'].post.security, [{ bearer: [] }]);
  assert.deepEqual(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT or aion_ API key' });
  assert.deepEqual(doc.paths['/api/health'].get.security, [], 'a really open route stays open');
  // The document's claims, replayed without a token: bearer-protected GETs refuse (401), open ones do not.
  let checked = 0;
  for (const [p, ops] of Object.entries<any>(doc.paths)) {
    const op = ops.get;
    if (!op || p.includes('{')) continue;
    const r = await fetch(`${s.url}${p}`, { signal: AbortSignal.timeout(10_000) });
    await r.body?.cancel();
    const open = Array.isArray(op.security) && op.security.length === 0;
    if (open) assert.notEqual(r.status, 401, `${p} is listed as open but refuses`);
    else assert.equal(r.status, 401, `${p} is listed as bearer-protected but answered ${r.status} without a token`);
    checked++;
  }
  assert.ok(checked > 10, `checked ${checked} routes`);
});
