import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import plugin from '../../plugins/provider-anthropic/index.ts';
import { startFakeAnthropic, type FakeProvider, type FakeTurn } from '../fakes/index.ts';
import { WEATHER_TOOL, abortAfterFirstEvent, abortBehaviourTests, collect, loadProvider, request, setEnv } from './helpers.ts';

let turn: FakeTurn = {};
let fake: FakeProvider;
let restore: () => void;

before(async () => {
  fake = await startFakeAnthropic(() => turn);
  restore = setEnv(fake.env);
});
after(async () => {
  restore();
  await fake.close();
});

test('registers the provider, configured only with a key', async () => {
  const { provider } = await loadProvider(plugin);
  assert.equal(provider.id, 'anthropic');
  assert.deepEqual(provider.prefixes, ['claude']);
  assert.equal(provider.models[0], 'claude-sonnet-4-6');
  assert.deepEqual(provider.envKeys, ['ANTHROPIC_API_KEY']);
  assert.equal(provider.isConfigured(), true);
  const undo = setEnv({ ANTHROPIC_API_KEY: undefined });
  try {
    assert.equal(provider.isConfigured(), false);
    await assert.rejects(collect(provider.stream(request({ model: 'claude-sonnet-4-6' }), new AbortController().signal)), {
      code: 'PROVIDER_NOT_CONFIGURED',
    });
  } finally {
    undo();
  }
});

test('streams thinking with signature, text, tool input, usage and stop', async () => {
  const { provider } = await loadProvider(plugin);
  turn = {
    blocks: [
      { type: 'thinking', text: 'Need the weather.', signature: 'sig-abc' },
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris', units: 'metric' } },
    ],
    usage: { input: 40, output: 22, cacheRead: 100, reasoning: 12 },
  };
  const events = await collect(
    provider.stream(
      request({
        model: 'claude-haiku-4-5',
        system: 'Be brief.',
        maxTokens: 2048,
        temperature: 0.3,
        thinking: { budgetTokens: 4000 },
        tools: [WEATHER_TOOL],
      }),
      new AbortController().signal,
    ),
  );
  assert.deepEqual(events, [
    { type: 'thinking_start' },
    { type: 'thinking', delta: 'Need the' },
    { type: 'thinking', delta: ' weather' },
    { type: 'thinking', delta: '.' },
    { type: 'thinking_end', signature: 'sig-abc' },
    { type: 'text', delta: 'Let me c' },
    { type: 'text', delta: 'heck.' },
    { type: 'tool_call', id: 'toolu_1', name: 'get_weather', args: { city: 'Paris', units: 'metric' } },
    // input 40 + cache read 100: the whole prompt.
    { type: 'usage', inputTokens: 140, outputTokens: 22, cacheReadTokens: 100, reasoningTokens: 12 },
    { type: 'stop', reason: 'tool_use' },
  ]);

  const sent = fake.lastRequest!;
  assert.equal(sent.path, '/v1/messages');
  // This SDK version sends the key as a bearer token; older ones used x-api-key.
  assert.ok(sent.headers.authorization === 'Bearer sk-ant-fake' || sent.headers['x-api-key'] === 'sk-ant-fake');
  assert.equal(sent.body.model, 'claude-haiku-4-5');
  assert.equal(sent.body.stream, true);
  assert.deepEqual(sent.body.thinking, { type: 'enabled', budget_tokens: 4000 });
  // The budget must stay below max_tokens, so the answer's allowance is added on top.
  assert.equal(sent.body.max_tokens, 6048);
  assert.equal('temperature' in sent.body, false);
  assert.deepEqual(sent.body.system, [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }]);
  assert.deepEqual(sent.body.tools, [
    { name: 'get_weather', description: WEATHER_TOOL.description, input_schema: WEATHER_TOOL.inputSchema, cache_control: { type: 'ephemeral' } },
  ]);
});

test('adaptive models get thinking as adaptive with an effort level', async () => {
  const { provider } = await loadProvider(plugin);
  turn = { blocks: [{ type: 'text', text: 'ok' }] };
  await collect(
    provider.stream(request({ model: 'claude-opus-4-7', maxTokens: 32000, thinking: { budgetTokens: 10000 } }), new AbortController().signal),
  );
  const sent = fake.lastRequest!.body;
  assert.deepEqual(sent.thinking, { type: 'adaptive', display: 'summarized' });
  assert.deepEqual(sent.output_config, { effort: 'medium' });
  assert.equal(sent.max_tokens, 32000);
});

test('passes thinking blocks with their signature back (a redacted one as redacted_thinking) and drops unsigned ones', async () => {
  const { provider } = await loadProvider(plugin);
  turn = { blocks: [{ type: 'text', text: 'It is sunny.' }] };
  const events = await collect(
    provider.stream(
      request({
        model: 'claude-haiku-4-5',
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: '', signature: 'EnCRYPTED==' },
              { type: 'thinking', thinking: 'Need the weather.', signature: 'sig-abc' },
              { type: 'thinking', thinking: 'from another provider' },
              { type: 'thinking', thinking: '' },
              { type: 'text', text: '' },
              { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny, 24°C' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            ],
          },
        ],
      }),
      new AbortController().signal,
    ),
  );
  assert.deepEqual(events.at(-1), { type: 'stop', reason: 'end_turn' });
  assert.deepEqual(events.at(-2), { type: 'usage', inputTokens: 10, outputTokens: 5 });
  const sent = fake.lastRequest!.body;
  assert.equal(sent.max_tokens, 1024);
  assert.equal('thinking' in sent, false);
  assert.deepEqual(sent.messages, [
    { role: 'user', content: 'Weather in Paris?' },
    {
      role: 'assistant',
      content: [
        // The empty signed block is how a redacted block comes back from the stream: it goes back as one, in place.
        { type: 'redacted_thinking', data: 'EnCRYPTED==' },
        { type: 'thinking', thinking: 'Need the weather.', signature: 'sig-abc' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny, 24°C' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      ],
    },
  ]);
});

test('maps max_tokens and a tool call without arguments', async () => {
  const { provider } = await loadProvider(plugin);
  turn = { blocks: [{ type: 'tool_use', id: 'toolu_2', name: 'now', input: {} }], stop: 'max_tokens' };
  const events = await collect(provider.stream(request({ model: 'claude-sonnet-4-6' }), new AbortController().signal));
  assert.deepEqual(events, [
    { type: 'tool_call', id: 'toolu_2', name: 'now', args: {} },
    { type: 'usage', inputTokens: 10, outputTokens: 5 },
    { type: 'stop', reason: 'max_tokens' },
  ]);
});

test('an upstream error becomes a coded AppError', async () => {
  const { provider } = await loadProvider(plugin);
  turn = { error: { status: 400, message: 'max_tokens: too large' } };
  await assert.rejects(collect(provider.stream(request({ model: 'claude-sonnet-4-6' }), new AbortController().signal)), (err: any) => {
    assert.equal(err.name, 'AppError');
    assert.equal(err.code, 'PROVIDER_BAD_REQUEST');
    assert.equal(err.details.upstreamStatus, 400);
    assert.match(err.message, /max_tokens: too large/);
    return true;
  });
});

abortBehaviourTests({
  plugin,
  model: 'claude-sonnet-4-6',
  hang: () => void (turn = { blocks: [{ type: 'text', text: 'This answer never finishes' }], hang: true }),
  upstreamClosed: () => fake.closed(),
});
