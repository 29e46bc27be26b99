import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import plugin from '../../plugins/provider-openai/index.ts';
import { startFakeOpenAI, type FakeProvider, type FakeTurn } from '../fakes/index.ts';
import { WEATHER_TOOL, abortAfterFirstEvent, abortBehaviourTests, collect, loadProvider, request, setEnv, joined } from './helpers.ts';

let turn: FakeTurn = {};
let fake: FakeProvider;
let restore: () => void;

before(async () => {
  fake = await startFakeOpenAI(() => turn);
  restore = setEnv(fake.env);
});
after(async () => {
  restore();
  await fake.close();
});

const signal = () => new AbortController().signal;

test('registers the provider, configured only with a key', async () => {
  const { provider } = await loadProvider(plugin);
  assert.equal(provider.id, 'openai');
  assert.deepEqual(provider.prefixes, ['gpt', 'o1', 'o3', 'o4']);
  assert.deepEqual(provider.envKeys, ['OPENAI_API_KEY', 'OPENAI_BASE_URL']);
  assert.equal(provider.isConfigured(), true);
  const undo = setEnv({ OPENAI_API_KEY: undefined });
  try {
    assert.equal(provider.isConfigured(), false);
    await assert.rejects(collect(provider.stream(request({ model: 'gpt-4.1' }), signal())), { code: 'PROVIDER_NOT_CONFIGURED' });
  } finally {
    undo();
  }
});

test('streams text and two tool calls accumulated by index, then usage and stop', async () => {
  const { provider } = await loadProvider(plugin);
  turn = {
    blocks: [
      { type: 'text', text: 'Checking both.' },
      { type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', name: 'get_weather', input: { city: 'Tokyo', units: 'metric' } },
    ],
    usage: { input: 50, output: 30, cacheRead: 20, reasoning: 7 },
  };
  const events = await collect(
    provider.stream(
      request({ model: 'gpt-4.1', system: 'Be brief.', maxTokens: 512, temperature: 0.2, tools: [WEATHER_TOOL] }),
      signal(),
    ),
  );
  assert.deepEqual(joined(events), joined([
    { type: 'text', delta: 'Checking' },
    { type: 'text', delta: ' both.' },
    { type: 'tool_call', id: 'call_fake_1', name: 'get_weather', args: { city: 'Paris' } },
    { type: 'tool_call', id: 'call_fake_2', name: 'get_weather', args: { city: 'Tokyo', units: 'metric' } },
    { type: 'usage', inputTokens: 50, outputTokens: 30, cacheReadTokens: 20, reasoningTokens: 7 },
    { type: 'stop', reason: 'tool_use' },
  ]));
  const sent = fake.lastRequest!;
  assert.equal(sent.path, '/v1/chat/completions');
  assert.equal(sent.headers.authorization, 'Bearer sk-fake');
  assert.equal(sent.body.model, 'gpt-4.1');
  assert.equal(sent.body.stream, true);
  assert.deepEqual(sent.body.stream_options, { include_usage: true });
  assert.equal(sent.body.max_tokens, 512);
  assert.equal(sent.body.temperature, 0.2);
  assert.deepEqual(sent.body.messages, [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hi' },
  ]);
  assert.deepEqual(sent.body.tools, [
    { type: 'function', function: { name: 'get_weather', description: WEATHER_TOOL.description, parameters: WEATHER_TOOL.inputSchema } },
  ]);
});

test('reasoning models get max_completion_tokens and reasoning_effort, no temperature', async () => {
  const { provider } = await loadProvider(plugin);
  turn = { blocks: [{ type: 'text', text: 'ok' }], stop: 'max_tokens' };
  const events = await collect(
    provider.stream(request({ model: 'o4-mini', maxTokens: 4000, temperature: 0.5, thinking: { budgetTokens: 20000 } }), signal()),
  );
  assert.deepEqual(events.at(-1), { type: 'stop', reason: 'max_tokens' });
  const sent = fake.lastRequest!.body;
  assert.equal(sent.max_completion_tokens, 4000);
  assert.equal('max_tokens' in sent, false);
  assert.equal('temperature' in sent, false);
  assert.equal(sent.reasoning_effort, 'high');
});

test('streams reasoning_content of compatible servers as thinking', async () => {
  const { provider } = await loadProvider(plugin);
  turn = { blocks: [{ type: 'thinking', text: 'Hmm, easy.' }, { type: 'text', text: 'Four.' }] };
  const events = await collect(provider.stream(request({ model: 'gpt-oss' }), signal()));
  assert.deepEqual(joined(events), joined([
    { type: 'thinking_start' },
    { type: 'thinking', delta: 'Hmm, eas' },
    { type: 'thinking', delta: 'y.' },
    { type: 'thinking_end' },
    { type: 'text', delta: 'Four.' },
    { type: 'usage', inputTokens: 10, outputTokens: 5 },
    { type: 'stop', reason: 'end_turn' },
  ]));
});

test('<think> text of DeepSeek-style models is thinking, even split across chunks (the shared ThinkingBlocks)', async () => {
  const { provider } = await loadProvider(plugin);
  turn = { blocks: [{ type: 'text', text: '<think>Two and two.</think>\n\nFour.' }] };
  const events = await collect(provider.stream(request({ model: 'gpt-oss' }), signal()));
  const thinking = events.filter((e) => e.type === 'thinking').map((e: any) => e.delta).join('');
  const text = events.filter((e) => e.type === 'text').map((e: any) => e.delta).join('');
  assert.equal(thinking, 'Two and two.');
  assert.equal(text, 'Four.');
  const kinds = events.map((e) => e.type).filter((t, i, all) => t !== all[i - 1]);
  assert.deepEqual(kinds, ['thinking_start', 'thinking', 'thinking_end', 'text', 'usage', 'stop']);
});

test('maps content blocks to OpenAI messages', async () => {
  const { provider } = await loadProvider(plugin);
  turn = { blocks: [{ type: 'text', text: 'Sunny.' }] };
  await collect(
    provider.stream(
      request({
        model: 'gpt-4o',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Weather here?' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            ],
          },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'private', signature: 's' },
              { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: 'sunny' }, { type: 'image', source: { type: 'url', url: 'https://x/map.png' } }] },
              { type: 'text', text: 'And tomorrow?' },
            ],
          },
          { role: 'assistant', content: [{ type: 'text', text: 'Rain.' }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_2', content: 'boom', is_error: true }] },
        ],
      }),
      signal(),
    ),
  );
  assert.deepEqual(fake.lastRequest!.body.messages, [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Weather here?' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
      ],
    },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Images returned by the tool calls above:' },
        { type: 'image_url', image_url: { url: 'https://x/map.png' } },
        { type: 'text', text: 'And tomorrow?' },
      ],
    },
    { role: 'assistant', content: 'Rain.' },
    { role: 'tool', tool_call_id: 'call_2', content: 'Error: boom' },
  ]);
});

test('invalid tool-call JSON becomes {} and is logged without its content', async () => {
  const { provider, logs } = await loadProvider(plugin);
  turn = { blocks: [{ type: 'tool_use', name: 'get_weather', input: {}, rawInput: '{"city": "Par' }] };
  const events = await collect(provider.stream(request({ model: 'gpt-4.1' }), signal()));
  assert.deepEqual(events[0], { type: 'tool_call', id: 'call_fake_1', name: 'get_weather', args: {} });
  const warn = logs.find((l) => l.level === 'warn');
  assert.ok(warn, 'a warning was logged');
  assert.deepEqual(warn.args[0], { tool: 'get_weather', chars: 13 });
  assert.doesNotMatch(JSON.stringify(warn.args), /Par/);
});

test('an upstream error becomes a coded AppError', async () => {
  const { provider } = await loadProvider(plugin);
  turn = { error: { status: 401, message: 'Incorrect API key provided' } };
  await assert.rejects(collect(provider.stream(request({ model: 'gpt-4.1' }), signal())), (err: any) => {
    assert.equal(err.code, 'PROVIDER_AUTH_FAILED');
    assert.equal(err.status, 502);
    assert.match(err.message, /Incorrect API key/);
    return true;
  });
});

test('an error frame inside the stream ends it with a coded AppError after the text so far', async () => {
  const { provider } = await loadProvider(plugin);
  turn = { blocks: [{ type: 'text', text: 'Half an answer' }], streamError: { message: 'The server had an error while processing your request' } };
  const seen: any[] = [];
  await assert.rejects(
    (async () => {
      for await (const e of provider.stream(request({ model: 'gpt-4.1' }), signal())) seen.push(e);
    })(),
    (err: any) => {
      assert.equal(err.code, 'PROVIDER_ERROR');
      assert.match(err.message, /server had an error/);
      return true;
    },
  );
  assert.equal(seen.filter((e) => e.type === 'text').map((e) => e.delta).join(''), 'Half an answer');
});

test('finished streams hand their upstream connection back: one keep-alive connection for several calls', async () => {
  const { provider } = await loadProvider(plugin);
  // The stand-in ends the body 15 ms after `[DONE]`: a reader that cancels at `[DONE]` drops the socket every time.
  turn = { blocks: [{ type: 'text', text: 'Short answer' }], chunkSize: 6, delayMs: 15 };
  const before = fake.connections().accepted;
  for (let i = 0; i < 3; i++) {
    const events = await collect(provider.stream(request({ model: 'gpt-4.1' }), signal()));
    assert.equal(events.filter((e) => e.type === 'text').map((e: any) => e.delta).join(''), 'Short answer');
    assert.equal(events.at(-1)?.type, 'stop');
    // The events end at `[DONE]`; the body's end is read after it, and the socket stays open for the next call.
    await fake.closed();
    assert.ok(fake.connections().open >= 1, 'the client closed its connection after a finished stream');
  }
  assert.ok(fake.connections().accepted - before <= 2, `3 calls opened ${fake.connections().accepted - before} connections`);
});

abortBehaviourTests({
  plugin,
  model: 'gpt-4.1',
  hang: () => void (turn = { blocks: [{ type: 'text', text: 'This answer never finishes' }], hang: true }),
  upstreamClosed: () => fake.closed(),
});
