import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readSse, startServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
let token: string;
before(async () => {
  s = await startServer();
  token = (await s.signup()).token;
});
after(() => s.dispose());

const stream = (body: unknown, path = '/api/chat/stream', t = token) => readSse(`${s.url}${path}`, { token: t, body });

test('ALIN stream: start, text_delta frames, usage, then done with model, stopReason and token counts', async () => {
  const r = await stream({ messages: [{ role: 'user', content: 'one two three' }], provider: 'echo' });
  assert.equal(r.status, 200);
  const names = r.events.map((e) => e.event);
  assert.equal(names[0], 'start');
  assert.deepEqual(Object.keys(r.events[0].data), ['type', 'model', 'provider', 'messageId']);
  assert.equal(r.events[0].data.provider, 'echo');
  assert.equal(r.events.filter((e) => e.event === 'text_delta').map((e) => e.data.text).join(''), 'one two three');
  const usage = r.events.find((e) => e.event === 'usage')!;
  assert.equal(usage.data.outputTokens, 3);
  const done = r.events.at(-1)!;
  assert.deepEqual(done.data, { type: 'done', model: 'echo-1', stopReason: 'end_turn', inputTokens: usage.data.inputTokens, outputTokens: 3 });
  assert.deepEqual(names.slice(-2), ['usage', 'done']);
});

test('thinking is forwarded as thinking_start / thinking_delta / signature_delta before the text', async () => {
  const r = await stream({ messages: [{ role: 'user', content: '/think deep thoughts' }], model: 'echo-1', thinking: true });
  const names = r.events.map((e) => e.event);
  assert.ok(names.indexOf('thinking_start') < names.indexOf('thinking_delta'));
  assert.ok(names.indexOf('signature_delta') < names.indexOf('text_delta'));
  assert.equal(r.events.filter((e) => e.event === 'thinking_delta').map((e) => e.data.thinking).join(''), 'deep thoughts');
  assert.match(r.events.find((e) => e.event === 'signature_delta')!.data.signature, /^echo-sig-/);
});

test('client tools are reported as tool_use (not run); /continue with the tool_result gets the answer', async () => {
  const tools = [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }];
  const first = await stream({ messages: [{ role: 'user', content: '/tool get_weather {"city":"Oslo"}' }], tools });
  const use = first.events.find((e) => e.event === 'tool_use')!;
  assert.deepEqual(use.data.input, { city: 'Oslo' });
  assert.equal(use.data.name, 'get_weather');
  assert.equal(first.events.at(-1)!.data.stopReason, 'tool_use');
  const messages = [
    { role: 'user', content: '/tool get_weather {"city":"Oslo"}' },
    { role: 'assistant', content: [{ type: 'tool_use', id: use.data.id, name: 'get_weather', input: use.data.input }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.data.id, content: 'sunny, 21°C' }] },
  ];
  const cont = await stream({ messages, tools }, '/api/chat/continue');
  assert.equal(cont.status, 200);
  assert.match(cont.events.filter((e) => e.event === 'text_delta').map((e) => e.data.text).join(''), /sunny, 21°C/);
  assert.equal(cont.events.at(-1)!.data.stopReason, 'end_turn');
});

test('messages missing or not an array → 400 JSON before any SSE; unknown provider → 400', async () => {
  for (const body of [{}, { messages: 'hi' }, { messages: null }]) {
    const r = await stream(body);
    assert.equal(r.status, 400);
    assert.equal(r.events.length, 0);
    assert.match(r.json.error, /messages/);
  }
  const p = await stream({ messages: [{ role: 'user', content: 'x' }], provider: 'nope' });
  assert.equal(p.status, 400);
  assert.equal((await stream({ messages: [{ role: 'user', content: 'x' }] }, '/api/chat/stream', 'bad-token')).status, 401);
});

test('a client disconnect mid-stream aborts the turn and saves the partial AION turn with stopReason aborted', async () => {
  const slow = await startServer({ env: { ECHO_DELAY_MS: '100' } });
  try {
    const u = await slow.signup();
    const controller = new AbortController();
    const words = Array.from({ length: 80 }, (_, i) => `w${i}`).join(' ');
    const r = await readSse(`${slow.url}/api/chat`, {
      token: u.token,
      body: { message: words },
      signal: controller.signal,
      onEvent: (e, all) => {
        if (all.filter((x) => x.event === 'token').length === 3) controller.abort();
      },
    });
    assert.ok(r.events.length >= 3 && r.events.length < 20);
    let saved: any;
    for (let i = 0; i < 30; i++) {
      await new Promise((res) => setTimeout(res, 100));
      const st = await slow.api('GET', '/api/status', { token: u.token });
      if (st.body.conversation_len === 2) {
        saved = st.body;
        break;
      }
    }
    assert.ok(saved, 'the partial assistant turn was saved');
    const convs = await slow.api('GET', '/api/conversations', { token: u.token });
    assert.equal(convs.status, 200);
    const conv = await slow.api('GET', `/api/conversations/${convs.body.conversations[0].id}`, { token: u.token });
    const assistant = conv.body.messages.find((m: any) => m.role === 'assistant');
    assert.equal(assistant.stopReason, 'aborted');
    assert.ok(assistant.content.length > 0);
  } finally {
    await slow.dispose();
  }
});
