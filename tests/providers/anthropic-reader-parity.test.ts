/**
 * The eventsource-parser reader (plugins/provider-anthropic/stream.ts) against the SDK's own `MessageStream` reader it
 * replaced (anthropic-sdk-reference.ts): the same stand-in streams, through the same SDK client, must give the same
 * provider events — text, thinking with signatures, redacted thinking, tool input (whole, split, empty, cut off),
 * usage and stop — and the same errors.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { buildRequest } from '../../plugins/provider-anthropic/build-request.ts';
import { streamMessages } from '../../plugins/provider-anthropic/stream.ts';
import { startFakeAnthropic, type FakeProvider, type FakeTurn } from '../fakes/index.ts';
import type { FakeServer } from '../fakes/server.ts';
import type { ProviderEvent } from '../../core/plugin-api/index.ts';
import { sdkStreamMessages } from './anthropic-sdk-reference.ts';
import { request, startPieceServer, WEATHER_TOOL } from './helpers.ts';

let turn: FakeTurn = {};
let fake: FakeProvider;
/** Raw frames for the hand-written streams, and the byte size of the network pieces they are cut into. */
let raw: { body: string; piece: number } = { body: '', piece: 1 };
let rawServer: FakeServer;

before(async () => {
  fake = await startFakeAnthropic(() => turn);
  rawServer = await startPieceServer('text/event-stream; charset=utf-8', () => raw);
});
after(async () => {
  await fake.close();
  await rawServer.close();
});

type Outcome = { events: ProviderEvent[] } | { error: { code: string; message: string; status: unknown } };

async function run(reader: typeof streamMessages, baseURL: string): Promise<Outcome> {
  const client = new Anthropic({ apiKey: 'sk-ant-fake', baseURL, maxRetries: 0 });
  const params = buildRequest(request({ model: 'claude-haiku-4-5', thinking: { budgetTokens: 2000 }, tools: [WEATHER_TOOL] }));
  const events: ProviderEvent[] = [];
  try {
    for await (const e of reader(client, params, new AbortController().signal)) events.push(e);
    return { events };
  } catch (err: any) {
    return { error: { code: err.code, message: err.message, status: err.details?.upstreamStatus } };
  }
}

async function same(baseURL: string): Promise<Outcome> {
  const before = await run(sdkStreamMessages as typeof streamMessages, baseURL);
  const now = await run(streamMessages, baseURL);
  assert.deepEqual(now, before);
  return now;
}

const TURNS: Array<[string, FakeTurn]> = [
  [
    'thinking with signature, text, tool input, cache and reasoning usage',
    {
      blocks: [
        { type: 'thinking', text: 'Need the weather — für Paris.', signature: 'sig-Ω' },
        { type: 'text', text: 'Let me check the weather. ✓' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris', units: 'metric', nested: { a: [1, 2, { b: null }] } } },
      ],
      usage: { input: 40, output: 22, cacheRead: 100, reasoning: 12 },
      chunkSize: 3,
    },
  ],
  ['unsigned thinking and text in one-character deltas', { blocks: [{ type: 'thinking', text: 'hmm' }, { type: 'text', text: 'ok' }], chunkSize: 1 }],
  ['two tool calls, one without arguments, max_tokens', { blocks: [{ type: 'tool_use', name: 'now', input: {} }, { type: 'tool_use', name: 'get_weather', input: { city: 'Rome' } }], stop: 'max_tokens' }],
  ['tool input cut off mid-JSON (partial parse)', { blocks: [{ type: 'tool_use', name: 'get_weather', input: {}, rawInput: '{"city": "Par' }], stop: 'max_tokens' }],
  ['tool input that is not an object', { blocks: [{ type: 'tool_use', name: 'get_weather', input: {}, rawInput: '[1,2]' }] }],
  ['an HTTP error before the stream', { error: { status: 429, message: 'slow down' } }],
  ['an HTTP 400', { error: { status: 400, message: 'max_tokens: too large' } }],
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

function frame(event: string, data: object): string {
  return `event: ${event}\r\ndata: ${JSON.stringify({ type: event, ...data })}\r\n\r\n`;
}

const START = frame('message_start', {
  message: { id: 'msg_raw', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 7, cache_creation_input_tokens: 3, cache_read_input_tokens: 0, output_tokens: 1 } },
});
const delta = (index: number, d: object) => frame('content_block_delta', { index, delta: d });

/** Redacted thinking, a server tool with its result, citations, a usage delta that overwrites input counts. */
const RICH =
  START +
  frame('ping', {}) +
  frame('content_block_start', { index: 0, content_block: { type: 'redacted_thinking', data: 'EnCRYPTED==' } }) +
  frame('content_block_stop', { index: 0 }) +
  frame('content_block_start', { index: 1, content_block: { type: 'thinking', thinking: '', signature: '' } }) +
  delta(1, { type: 'thinking_delta', thinking: 'Search first. 日本' }) +
  delta(1, { type: 'signature_delta', signature: 'sig-part-1' }) +
  delta(1, { type: 'signature_delta', signature: 'sig-final' }) +
  frame('content_block_stop', { index: 1 }) +
  frame('content_block_start', { index: 2, content_block: { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} } }) +
  delta(2, { type: 'input_json_delta', partial_json: '{"query": "wea' }) +
  delta(2, { type: 'input_json_delta', partial_json: 'ther"}' }) +
  frame('content_block_stop', { index: 2 }) +
  frame('content_block_start', { index: 3, content_block: { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] } }) +
  frame('content_block_stop', { index: 3 }) +
  frame('content_block_start', { index: 4, content_block: { type: 'text', text: '', citations: null } }) +
  delta(4, { type: 'text_delta', text: 'Sunny 🌞' }) +
  delta(4, { type: 'citations_delta', citation: { type: 'web_search_result_location', url: 'https://x.example', title: 'x', encrypted_index: 'e', cited_text: 'sunny' } }) +
  frame('content_block_stop', { index: 4 }) +
  frame('content_block_start', { index: 5, content_block: { type: 'tool_use', id: 'toolu_9', name: 'get_weather', input: {} } }) +
  delta(5, { type: 'input_json_delta', partial_json: '' }) +
  frame('content_block_stop', { index: 5 }) +
  frame('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 31, input_tokens: 9, cache_read_input_tokens: 4, output_tokens_details: { thinking_tokens: 6 } } }) +
  frame('message_stop', {});

for (const piece of [1, 7, 64, 1 << 20]) {
  test(`same events as the SDK reader: redacted thinking, server tools, citations (${piece}-byte pieces)`, async () => {
    raw = { body: RICH, piece };
    const outcome = await same(rawServer.url);
    assert.ok('events' in outcome);
    // The redacted block is an empty block signed with its data, before the signed thinking block (ThinkingBlocks).
    assert.deepEqual(outcome.events.slice(0, 5), [
      { type: 'thinking_start' },
      { type: 'thinking_end', signature: 'EnCRYPTED==' },
      { type: 'thinking_start' },
      { type: 'thinking', delta: 'Search first. 日本' },
      { type: 'thinking_end', signature: 'sig-final' },
    ]);
    assert.deepEqual(outcome.events.at(-2), { type: 'usage', inputTokens: 16, outputTokens: 31, cacheReadTokens: 4, reasoningTokens: 6 });
  });
}

test('same error as the SDK reader: an error event inside the 200 stream', async () => {
  raw = {
    body: START + frame('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) + delta(0, { type: 'text_delta', text: 'Hal' }) + frame('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }),
    piece: 5,
  };
  const outcome = await same(rawServer.url);
  assert.ok('error' in outcome);
  assert.match(outcome.error.message, /Overloaded/);
});

test('same outcome as the SDK reader: a stream that ends before message_start', async () => {
  raw = { body: frame('ping', {}), piece: 3 };
  const outcome = await same(rawServer.url);
  assert.ok('error' in outcome);
});

test('same outcome as the SDK reader: a stream cut off before message_stop', async () => {
  raw = { body: START + frame('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) + delta(0, { type: 'text_delta', text: 'cut' }), piece: 4 };
  await same(rawServer.url);
});
