/**
 * Every real provider end to end: the real server, the real SDK inside its plugin, a local stand-in speaking the
 * provider's wire format, reached through the base-URL variable. Asserts what comes out of our SSE (both dialects) and
 * what the provider received.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeAnthropic, startFakeGemini, startFakeOllama, startFakeOpenAI, type FakeProvider, type FakeTurn } from '../fakes/index.ts';
import { readSse, startServer, type SseEvent, type TestServer } from '../helpers/server.ts';

const TURN: FakeTurn = {
  blocks: [
    { type: 'thinking', text: 'Let me check the weather.', signature: 'sig-abc-123' },
    { type: 'text', text: 'Checking now.' },
    { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris', days: 2 } },
  ],
  usage: { input: 42, output: 17 },
};
const TOOLS = [{ name: 'get_weather', description: 'Weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'number' } }, required: ['city'] } }];

const fakes: Record<string, FakeProvider> = {};
let s: TestServer;
let token: string;
before(async () => {
  fakes.anthropic = await startFakeAnthropic(TURN);
  fakes.openai = await startFakeOpenAI(TURN);
  fakes.gemini = await startFakeGemini(TURN);
  fakes.ollama = await startFakeOllama(TURN);
  s = await startServer({ env: Object.assign({}, ...Object.values(fakes).map((f) => f.env)) });
  token = (await s.signup()).token;
});
after(async () => {
  await s.dispose();
  for (const f of Object.values(fakes)) await f.close();
});

const text = (events: SseEvent[], type: string, field: string) => events.filter((e) => e.event === type).map((e) => e.data[field]).join('');

const MODELS: Record<string, string> = { anthropic: 'claude-haiku-4-5', openai: 'gpt-4o-mini', gemini: 'gemini-2.5-flash', ollama: 'llama3.2' };

for (const provider of ['anthropic', 'openai', 'gemini', 'ollama']) {
  test(`${provider}: ALIN stream carries the exact thinking, text, tool input and usage; the request had model, max tokens and tools`, async () => {
    const r = await readSse(`${s.url}/api/chat/stream`, {
      token,
      body: { provider, model: MODELS[provider], messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: TOOLS, thinking: true, thinkingBudget: 2048, maxTokens: 1000 },
    });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.events[0].event, 'start');
    assert.equal(r.events[0].data.provider, provider);
    assert.equal(text(r.events, 'thinking_delta', 'thinking'), 'Let me check the weather.');
    assert.equal(text(r.events, 'text_delta', 'text'), 'Checking now.');
    const use = r.events.find((e) => e.event === 'tool_use')!;
    assert.equal(use.data.name, 'get_weather');
    assert.deepEqual(use.data.input, { city: 'Paris', days: 2 });
    const usage = r.events.find((e) => e.event === 'usage')!;
    assert.equal(usage.data.inputTokens, 42);
    assert.equal(usage.data.outputTokens, 17);
    const done = r.events.at(-1)!;
    assert.equal(done.event, 'done');
    assert.equal(done.data.stopReason, 'tool_use');
    if (provider === 'anthropic') assert.equal(text(r.events, 'signature_delta', 'signature'), 'sig-abc-123');

    const body = fakes[provider].lastRequest!.body;
    const sentModel = body.model ?? fakes[provider].lastRequest!.path;
    assert.match(String(sentModel), new RegExp(MODELS[provider].replace(/\./g, '\\.')));
    const json = JSON.stringify(body);
    assert.match(json, /get_weather/, 'tools were sent');
    assert.match(json, /Weather in Paris\?/, 'the message was sent');
    if (provider === 'anthropic') {
      assert.ok(body.max_tokens >= 1000);
      assert.ok(body.thinking, 'thinking was requested');
      assert.equal(body.stream, true);
    }
    if (provider === 'openai') {
      assert.equal(body.max_tokens, 1000);
      assert.deepEqual(body.stream_options, { include_usage: true });
    }
    if (provider === 'gemini') assert.equal(body.generationConfig?.thinkingConfig?.thinkingBudget, 2048);
    if (provider === 'ollama') assert.equal(body.options?.num_predict, 1000);
  });
}

test('anthropic through the AION dialect: thought and token frames, usage in the done turn', async () => {
  const fake = await startFakeAnthropic({ blocks: [{ type: 'thinking', text: 'Hmm.', signature: 's1' }, { type: 'text', text: 'Hello from Claude.' }], usage: { input: 5, output: 4 } });
  const s2 = await startServer({ env: fake.env });
  try {
    const t = (await s2.signup()).token;
    const r = await readSse(`${s2.url}/api/chat`, { token: t, body: { message: 'hi', provider: 'anthropic', model: 'claude-haiku-4-5' } });
    assert.equal(text(r.events, 'thought', 'text'), 'Hmm.');
    assert.equal(text(r.events, 'token', 'text'), 'Hello from Claude.');
    assert.deepEqual(r.events.find((e) => e.event === 'usage')!.data, { type: 'usage', input_tokens: 5, output_tokens: 4 });
    assert.equal(r.events.at(-1)!.data.full_response, 'Hello from Claude.');
    assert.match(JSON.stringify(fake.lastRequest!.body.system), /AION/, 'the system prompt was assembled from the prompt files');
  } finally {
    await s2.dispose();
    await fake.close();
  }
});

test('a provider error becomes one error frame (no crash), with the provider error code', async () => {
  const fake = await startFakeOpenAI({ error: { status: 401, message: 'bad key sk-secret-should-not-leak' } });
  const s2 = await startServer({ env: fake.env });
  try {
    const t = (await s2.signup()).token;
    const r = await readSse(`${s2.url}/api/chat/stream`, { token: t, body: { provider: 'openai', model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] } });
    const terminal = r.events.filter((e) => e.event === 'done' || e.event === 'error');
    assert.equal(terminal.length, 1);
    assert.equal(terminal[0].event, 'error');
    assert.match(terminal[0].data.code, /^PROVIDER_/);
    assert.equal((await s2.api('GET', '/api/health')).status, 200);
  } finally {
    await s2.dispose();
    await fake.close();
  }
});

test('a client disconnect aborts the upstream provider request', async () => {
  const fake = await startFakeOpenAI({ blocks: [{ type: 'text', text: 'partial answer' }], hang: true });
  const s2 = await startServer({ env: fake.env });
  try {
    const t = (await s2.signup()).token;
    const controller = new AbortController();
    await readSse(`${s2.url}/api/chat/stream`, {
      token: t,
      signal: controller.signal,
      body: { provider: 'openai', model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] },
      onEvent: (e) => {
        if (e.event === 'text_delta') controller.abort();
      },
    });
    const started = Date.now();
    await fake.closed(0);
    assert.ok(Date.now() - started < 1000, 'the upstream request was cut');
  } finally {
    await s2.dispose();
    await fake.close();
  }
});
