import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import plugin from '../../plugins/provider-gemini/index.ts';
import { startFakeGemini, type FakeProvider, type FakeTurn } from '../fakes/index.ts';
import { WEATHER_TOOL, abortAfterFirstEvent, abortBehaviourTests, collect, loadProvider, request, setEnv } from './helpers.ts';

let turn: FakeTurn = {};
let fake: FakeProvider;
let restore: () => void;

before(async () => {
  fake = await startFakeGemini(() => turn);
  restore = setEnv({ ...fake.env, GOOGLE_API_KEY: undefined, GEMINI_OAUTH_ACCESS_TOKEN: undefined });
});
after(async () => {
  restore();
  await fake.close();
});

const signal = () => new AbortController().signal;

test('registers the provider, configured by a key or an OAuth token', async () => {
  const { provider } = await loadProvider(plugin);
  assert.equal(provider.id, 'gemini');
  assert.deepEqual(provider.prefixes, ['gemini']);
  assert.equal(provider.isConfigured(), true);
  const undo = setEnv({ GEMINI_API_KEY: undefined });
  try {
    assert.equal(provider.isConfigured(), false);
    await assert.rejects(collect(provider.stream(request({ model: 'gemini-2.5-flash' }), signal())), { code: 'PROVIDER_NOT_CONFIGURED' });
    process.env.GOOGLE_API_KEY = 'alias-key';
    assert.equal(provider.isConfigured(), true);
  } finally {
    undo();
    delete process.env.GOOGLE_API_KEY;
  }
});

test('streams thinking with its signature, text, a function call, usage and stop', async () => {
  const { provider } = await loadProvider(plugin);
  turn = {
    blocks: [
      { type: 'thinking', text: 'Look it up.', signature: 'gsig-1' },
      { type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } },
    ],
    usage: { input: 60, output: 9, reasoning: 25, cacheRead: 32 },
  };
  const events = await collect(
    provider.stream(
      request({
        model: 'gemini-2.5-flash',
        system: 'Be brief.',
        maxTokens: 2000,
        temperature: 0.4,
        thinking: { budgetTokens: 3000 },
        tools: [WEATHER_TOOL],
      }),
      signal(),
    ),
  );
  const call = events.find((e) => e.type === 'tool_call');
  assert.ok(call && call.type === 'tool_call');
  assert.match(call.id, /^call_/);
  assert.deepEqual(events, [
    { type: 'thinking_start' },
    { type: 'thinking', delta: 'Look it ' },
    { type: 'thinking', delta: 'up.' },
    { type: 'thinking_end', signature: 'gsig-1' },
    { type: 'tool_call', id: call.id, name: 'get_weather', args: { city: 'Paris' } },
    { type: 'usage', inputTokens: 60, outputTokens: 34, cacheReadTokens: 32, reasoningTokens: 25 },
    { type: 'stop', reason: 'tool_use' },
  ]);

  const sent = fake.lastRequest!;
  assert.equal(sent.path, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  assert.equal(sent.headers['x-goog-api-key'], 'gemini-fake-key');
  assert.deepEqual(sent.body.contents, [{ role: 'user', parts: [{ text: 'Hi' }] }]);
  assert.deepEqual(sent.body.systemInstruction, { role: 'user', parts: [{ text: 'Be brief.' }] });
  assert.equal(sent.body.generationConfig.maxOutputTokens, 2000);
  assert.equal(sent.body.generationConfig.temperature, 0.4);
  assert.deepEqual(sent.body.generationConfig.thinkingConfig, { thinkingBudget: 3000, includeThoughts: true });
  assert.deepEqual(sent.body.tools, [
    { functionDeclarations: [{ name: 'get_weather', description: WEATHER_TOOL.description, parametersJsonSchema: WEATHER_TOOL.inputSchema }] },
  ]);
});

test('text answers: an id from Gemini is kept, MAX_TOKENS maps to max_tokens', async () => {
  const { provider } = await loadProvider(plugin);
  turn = { blocks: [{ type: 'text', text: 'Bonjour!' }], stop: 'max_tokens' };
  const events = await collect(provider.stream(request({ model: 'gemini-2.5-pro' }), signal()));
  assert.deepEqual(events, [
    { type: 'text', delta: 'Bonjour!' },
    { type: 'usage', inputTokens: 10, outputTokens: 5 },
    { type: 'stop', reason: 'max_tokens' },
  ]);
  turn = { blocks: [{ type: 'tool_use', id: 'fc-7', name: 'now', input: {} }] };
  const withId = await collect(provider.stream(request({ model: 'gemini-2.5-pro' }), signal()));
  assert.deepEqual(withId[0], { type: 'tool_call', id: 'fc-7', name: 'now', args: {} });
});

test('maps tool results to functionResponse by the earlier call name and puts signatures back', async () => {
  const { provider } = await loadProvider(plugin);
  turn = { blocks: [{ type: 'text', text: 'Sunny.' }] };
  await collect(
    provider.stream(
      request({
        model: 'gemini-2.5-flash',
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'Look it up.', signature: 'gsig-1' },
              { type: 'tool_use', id: 'call_abc', name: 'get_weather', input: { city: 'Paris' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'call_abc', content: 'sunny' },
              { type: 'tool_result', tool_use_id: 'call_missing', content: 'boom', is_error: true },
            ],
          },
        ],
      }),
      signal(),
    ),
  );
  assert.deepEqual(fake.lastRequest!.body.contents, [
    { role: 'user', parts: [{ text: 'Weather?' }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }] },
    { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'gsig-1' }] },
    {
      role: 'user',
      parts: [
        { functionResponse: { name: 'get_weather', response: { output: 'sunny' } } },
        { functionResponse: { name: 'unknown_tool', response: { error: 'boom' } } },
      ],
    },
  ]);
});

test('an OAuth access token is sent as a bearer token when no key is set', async () => {
  const { provider } = await loadProvider(plugin);
  const undo = setEnv({ GEMINI_API_KEY: undefined, GEMINI_OAUTH_ACCESS_TOKEN: 'ya29.fake-token' });
  try {
    turn = { blocks: [{ type: 'text', text: 'hi' }] };
    const events = await collect(provider.stream(request({ model: 'gemini-2.5-flash' }), signal()));
    assert.deepEqual(events[0], { type: 'text', delta: 'hi' });
    assert.equal(fake.lastRequest!.headers.authorization, 'Bearer ya29.fake-token');
    assert.equal(fake.lastRequest!.headers['x-goog-api-key'], undefined);
  } finally {
    undo();
  }
});

test('an upstream error becomes a coded AppError', async () => {
  const { provider } = await loadProvider(plugin);
  turn = { error: { status: 400, message: 'Invalid JSON payload' } };
  await assert.rejects(collect(provider.stream(request({ model: 'gemini-2.5-flash' }), signal())), (err: any) => {
    assert.equal(err.name, 'AppError');
    assert.equal(err.code, 'PROVIDER_BAD_REQUEST');
    assert.match(err.message, /Invalid JSON payload/);
    return true;
  });
});

abortBehaviourTests({
  plugin,
  model: 'gemini-2.5-flash',
  hang: () => void (turn = { blocks: [{ type: 'text', text: 'This answer never finishes' }], hang: true }),
  upstreamClosed: () => fake.closed(),
});
