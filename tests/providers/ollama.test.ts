import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import plugin from '../../plugins/provider-ollama/index.ts';
import { startFakeOllama, type FakeProvider, type FakeTurn } from '../fakes/index.ts';
import { WEATHER_TOOL, abortAfterFirstEvent, abortBehaviourTests, collect, loadProvider, request, setEnv } from './helpers.ts';

let turn: FakeTurn = {};
let fake: FakeProvider;
let restore: () => void;

before(async () => {
  fake = await startFakeOllama(() => turn);
  restore = setEnv(fake.env);
});
after(async () => {
  restore();
  await fake.close();
});

const signal = () => new AbortController().signal;

test('registers the provider, configured only when OLLAMA_HOST is set', async () => {
  const { provider } = await loadProvider(plugin);
  assert.equal(provider.id, 'ollama');
  assert.deepEqual(provider.prefixes, ['ollama/']);
  assert.equal(provider.acceptsAnyModel, true);
  assert.deepEqual(provider.envKeys, ['OLLAMA_HOST']);
  assert.equal(provider.isConfigured(), true);
  const undo = setEnv({ OLLAMA_HOST: undefined });
  try {
    assert.equal(provider.isConfigured(), false);
  } finally {
    undo();
  }
});

test('streams thinking, text, a tool call, usage and stop; strips the ollama/ prefix', async () => {
  const { provider } = await loadProvider(plugin);
  turn = {
    blocks: [
      { type: 'thinking', text: 'Weather tool.' },
      { type: 'text', text: 'One moment.' },
      { type: 'tool_use', name: 'get_weather', input: { city: 'Oslo' } },
    ],
    usage: { input: 26, output: 41 },
  };
  const events = await collect(
    provider.stream(
      request({ model: 'ollama/llama3.2', system: 'Be brief.', maxTokens: 300, temperature: 0.1, thinking: { budgetTokens: 2000 }, tools: [WEATHER_TOOL] }),
      signal(),
    ),
  );
  const call = events.find((e) => e.type === 'tool_call');
  assert.ok(call && call.type === 'tool_call');
  assert.match(call.id, /^call_/);
  assert.deepEqual(events, [
    { type: 'thinking_start' },
    { type: 'thinking', delta: 'Weather ' },
    { type: 'thinking', delta: 'tool.' },
    { type: 'thinking_end' },
    { type: 'text', delta: 'One mome' },
    { type: 'text', delta: 'nt.' },
    { type: 'tool_call', id: call.id, name: 'get_weather', args: { city: 'Oslo' } },
    { type: 'usage', inputTokens: 26, outputTokens: 41 },
    { type: 'stop', reason: 'tool_use' },
  ]);
  const sent = fake.lastRequest!;
  assert.equal(sent.path, '/api/chat');
  assert.equal(sent.body.model, 'llama3.2');
  assert.equal(sent.body.stream, true);
  assert.equal(sent.body.think, true);
  assert.deepEqual(sent.body.options, { num_predict: 300, temperature: 0.1 });
  assert.deepEqual(sent.body.messages, [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hi' },
  ]);
  assert.deepEqual(sent.body.tools, [
    { type: 'function', function: { name: 'get_weather', description: WEATHER_TOOL.description, parameters: WEATHER_TOOL.inputSchema } },
  ]);
});

test('maps tool results with tool_name and images as base64; length → max_tokens; ids from Ollama kept', async () => {
  const { provider } = await loadProvider(plugin);
  turn = { blocks: [{ type: 'tool_use', id: 'call_from_ollama', name: 'now', input: {} }], stop: 'max_tokens' };
  const events = await collect(
    provider.stream(
      request({
        model: 'qwen3',
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'Check the weather.' },
              { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Oslo' } },
            ],
          },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: 'snow' }] }] },
        ],
      }),
      signal(),
    ),
  );
  assert.deepEqual(events[0], { type: 'tool_call', id: 'call_from_ollama', name: 'now', args: {} });
  // A tool call decides the stop reason over Ollama's `length`.
  assert.deepEqual(events.at(-1), { type: 'stop', reason: 'tool_use' });
  assert.equal(fake.lastRequest!.body.model, 'qwen3');
  assert.equal('think' in fake.lastRequest!.body, false);
  assert.deepEqual(fake.lastRequest!.body.messages, [
    { role: 'user', content: 'What is this?', images: ['iVBORw0KGgo='] },
    { role: 'assistant', content: '', thinking: 'Check the weather.', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Oslo' } } }] },
    { role: 'tool', content: 'snow', tool_name: 'get_weather' },
  ]);

  turn = { blocks: [{ type: 'text', text: 'cut' }], stop: 'max_tokens' };
  const cut = await collect(provider.stream(request({ model: 'qwen3' }), signal()));
  assert.deepEqual(cut.at(-1), { type: 'stop', reason: 'max_tokens' });
});

test('an upstream error becomes a coded AppError; an unreachable host says so', async () => {
  const { provider } = await loadProvider(plugin);
  turn = { error: { status: 404, message: 'model "nope" not found, try pulling it first' } };
  await assert.rejects(collect(provider.stream(request({ model: 'ollama/nope' }), signal())), (err: any) => {
    assert.equal(err.code, 'PROVIDER_MODEL_NOT_FOUND');
    assert.match(err.message, /not found/);
    return true;
  });
  // A port nothing listens on: open one, then close it.
  const closed = await startFakeOllama({});
  await closed.close();
  const undo = setEnv({ OLLAMA_HOST: closed.url });
  try {
    await assert.rejects(collect(provider.stream(request({ model: 'ollama/llama3.2' }), signal())), (err: any) => {
      assert.equal(err.code, 'PROVIDER_UNREACHABLE');
      assert.match(err.message, /cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
      return true;
    });
  } finally {
    undo();
  }
});

abortBehaviourTests({
  plugin,
  model: 'ollama/llama3.2',
  hang: () => void (turn = { blocks: [{ type: 'text', text: 'This answer never finishes' }], hang: true }),
  upstreamClosed: () => fake.closed(),
});
