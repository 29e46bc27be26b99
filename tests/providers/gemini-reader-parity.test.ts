/**
 * The eventsource-parser reader (plugins/provider-gemini/read-responses.ts over the raw response) against the SDK's own
 * `generateContentStream` reader it replaced (gemini-sdk-reference.ts): the same stand-in streams, through the same SDK
 * client, must give the same provider events — text, thinking with signatures, function calls, usage and stop — and
 * the same errors (an HTTP error, an error event inside the 200 stream, a stream cut off inside an event).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createGeminiClient } from '../../plugins/provider-gemini/auth.ts';
import { buildRequest } from '../../plugins/provider-gemini/build-request.ts';
import { streamGemini } from '../../plugins/provider-gemini/stream.ts';
import { startFakeGemini, type FakeProvider, type FakeTurn } from '../fakes/index.ts';
import type { FakeServer } from '../fakes/server.ts';
import type { ProviderEvent } from '../../core/plugin-api/index.ts';
import { sdkStreamGemini } from './gemini-sdk-reference.ts';
import { request, startPieceServer, WEATHER_TOOL } from './helpers.ts';

let turn: FakeTurn = {};
let fake: FakeProvider;
/** Raw frames for the hand-written streams, and the byte size of the network pieces they are cut into. */
let raw: { body: string; piece: number } = { body: '', piece: 1 };
let rawServer: FakeServer;

before(async () => {
  fake = await startFakeGemini(() => turn);
  rawServer = await startPieceServer('text/event-stream', () => raw);
});
after(async () => {
  await fake.close();
  await rawServer.close();
});

type Outcome = { events: ProviderEvent[] } | { error: { code: string; message: string; status: unknown } };
const silent = { warn() {}, info() {}, error() {}, debug() {} } as any;

async function run(reader: 'sdk' | 'ours', baseUrl: string): Promise<Outcome> {
  const client = await createGeminiClient({ kind: 'apiKey', apiKey: 'gemini-fake-key' }, baseUrl);
  const params = buildRequest(request({ model: 'gemini-2.5-flash', thinking: { budgetTokens: 2000 }, tools: [WEATHER_TOOL] }));
  const signal = new AbortController().signal;
  const events: ProviderEvent[] = [];
  try {
    const stream = reader === 'sdk' ? sdkStreamGemini(client, params, signal) : streamGemini(client, params, signal, silent);
    for await (const e of stream) events.push(e);
    return { events };
  } catch (err: any) {
    return { error: { code: err.code, message: err.message, status: err.details?.upstreamStatus } };
  }
}

async function same(baseUrl: string): Promise<Outcome> {
  const before = await run('sdk', baseUrl);
  const now = await run('ours', baseUrl);
  assert.deepEqual(now, before);
  return now;
}

const TURNS: Array<[string, FakeTurn]> = [
  [
    'thinking with a signature, text, a function call, cache and reasoning usage',
    {
      blocks: [
        { type: 'thinking', text: 'Need the weather — für Paris.', signature: 'sig-Ω' },
        { type: 'text', text: 'Let me check the weather. ✓' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris', nested: { a: [1, 2, { b: null }] } } },
      ],
      usage: { input: 40, output: 22, cacheRead: 100, reasoning: 12 },
      chunkSize: 3,
    },
  ],
  ['text in one-character parts, max tokens', { blocks: [{ type: 'text', text: 'ok, 日本' }], chunkSize: 1, stop: 'max_tokens' }],
  ['a burst of 600 parts', { blocks: [{ type: 'text', text: 'tok '.repeat(600) }], chunkSize: 4 }],
  ['an HTTP 429 before the stream', { error: { status: 429, message: 'slow down' } }],
  ['an HTTP 400', { error: { status: 400, message: 'bad request' } }],
];

for (const [name, t] of TURNS) {
  test(`same events as the SDK reader: ${name}`, async () => {
    turn = t;
    const outcome = await same(fake.url);
    // Guard against both readers agreeing on nothing.
    if ('events' in outcome) assert.equal(outcome.events.at(-1)?.type, 'stop');
    else assert.match(outcome.error.code, /^PROVIDER_/);
  });
}

const event = (parts: object[], extra: object = {}) => `data: ${JSON.stringify({ candidates: [{ content: { parts, role: 'model' }, index: 0, ...extra }], modelVersion: 'g' })}`;
const usage = { promptTokenCount: 7, candidatesTokenCount: 3, thoughtsTokenCount: 2, totalTokenCount: 12 };
/** Thought parts, a signed call, LF and CRLF delimiters mixed, a keep-alive comment, usage on the last event. */
const RICH = [
  event([{ text: 'Think ', thought: true }]) + '\n\n',
  event([{ text: 'harder 🌞', thought: true }]) + '\r\n\r\n',
  event([{ functionCall: { id: 'call_r', name: 'get_weather', args: { city: 'Rome' } }, thoughtSignature: 'c2ln' }]) + '\n\n',
  event([{ text: 'Done.' }]) + '\n\n',
  `data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 }], usageMetadata: usage })}\r\n\r\n`,
].join('');

for (const piece of [1, 5, 64, 1 << 20]) {
  test(`same events as the SDK reader: thoughts, a signed call, mixed delimiters (${piece}-byte pieces)`, async () => {
    raw = { body: RICH, piece };
    const outcome = await same(rawServer.url);
    assert.ok('events' in outcome);
    assert.deepEqual(outcome.events.at(-2), { type: 'usage', inputTokens: 7, outputTokens: 5, reasoningTokens: 2 });
  });
}

test('same error as the SDK reader: an error event inside the 200 stream, after text', async () => {
  raw = { body: event([{ text: 'Hal' }]) + '\n\n' + `data: ${JSON.stringify({ error: { code: 503, message: 'Overloaded', status: 'UNAVAILABLE' } })}\n\n`, piece: 7 };
  const outcome = await same(rawServer.url);
  assert.ok('error' in outcome);
  assert.match(outcome.error.message, /Overloaded/);
  assert.equal(outcome.error.status, 503);
});

test('same outcome as the SDK reader: a stream cut off inside an event', async () => {
  raw = { body: event([{ text: 'whole' }]) + '\n\n' + event([{ text: 'cut' }]).slice(0, 30), piece: 9 };
  const outcome = await same(rawServer.url);
  assert.ok('error' in outcome);
  assert.match(outcome.error.message, /Incomplete JSON segment/);
});
