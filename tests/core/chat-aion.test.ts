import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readSse, startServer, type SseEvent, type TestServer } from '../helpers/server.ts';
import { pluginsDir, TEST_TOOLS_MANIFEST, TEST_TOOLS_PLUGIN, writePlugin } from '../helpers/plugins.ts';

let s: TestServer;
let admin: string;
const dir = pluginsDir();
before(async () => {
  writePlugin(dir, 'test-tools', TEST_TOOLS_PLUGIN, TEST_TOOLS_MANIFEST);
  s = await startServer({ env: { PLUGINS_DIRS: dir } });
  admin = (await s.signup()).token;
  await s.api('POST', '/api/config/settings', { token: admin, body: { approval_timeout_ms: 1500 } });
});
after(() => s.dispose());

const chat = (token: string, body: unknown, onEvent?: (e: SseEvent, all: SseEvent[]) => void | Promise<void>, signal?: AbortSignal) =>
  readSse(`${s.url}/api/chat`, { token, body, onEvent, signal });
const types = (events: SseEvent[]) => events.map((e) => e.event);

test('text streams as token frames (event line + data whose first key is type), then usage and one done', async () => {
  const r = await chat(admin, { message: 'hello brave new world' });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type')!, /text\/event-stream/);
  assert.equal(r.headers.get('cache-control'), 'no-cache, no-transform');
  assert.equal(r.headers.get('x-accel-buffering'), 'no');
  const tokens = r.events.filter((e) => e.event === 'token');
  assert.ok(tokens.length >= 2, 'several chunks');
  assert.equal(tokens.map((t) => t.data.text).join(''), 'hello brave new world');
  for (const e of r.events) assert.equal(Object.keys(e.data)[0], 'type');
  for (const t of tokens) assert.equal(t.data.content, t.data.text);
  const done = r.events.at(-1)!;
  assert.equal(done.event, 'done');
  assert.equal(done.data.full_response, 'hello brave new world');
  assert.deepEqual(done.data.response_blocks, [{ type: 'text', content: 'hello brave new world' }]);
  assert.equal(done.data.approval_pending, false);
  const usage = r.events.find((e) => e.event === 'usage')!;
  assert.equal(usage.data.output_tokens, 4);
  assert.equal(types(r.events).filter((t) => t === 'done' || t === 'error').length, 1);
});

test('/think streams thoughts first, then the text', async () => {
  const r = await chat(admin, { message: '/think step by step' });
  const t = types(r.events);
  assert.ok(t.indexOf('thought') < t.indexOf('token'));
  assert.equal(r.events.filter((e) => e.event === 'thought').map((e) => e.data.text).join(''), 'step by step');
  assert.equal(r.events.at(-1)!.data.full_response, 'step by step');
});

test('server tools run, their results feed back, and the answer includes each result; calls run concurrently', async () => {
  const r = await chat(admin, { message: '/tool lookup {"q":"life"}\n/tool lookup {"q":"universe"}' });
  const calls = r.events.filter((e) => e.event === 'tool_call');
  assert.equal(calls.length, 2);
  assert.deepEqual(calls[0].data.args, { q: 'life' });
  assert.equal(calls[0].data.tool, 'lookup');
  assert.equal(calls[0].data.call_id, calls[0].data.id);
  const results = r.events.filter((e) => e.event === 'tool_result');
  assert.equal(results.length, 2);
  assert.ok(results.every((e) => e.data.ok === true && typeof e.data.duration === 'number'));
  assert.deepEqual(results.map((e) => e.data.result.q).sort(), ['life', 'universe']);
  const done = r.events.at(-1)!;
  assert.match(done.data.full_response, /"q":"life"/);
  assert.match(done.data.full_response, /"q":"universe"/);
});

test('invalid arguments, unknown tools and throwing tools give ok:false results the model sees; the stream survives', async () => {
  const r = await chat(admin, { message: '/tool lookup {"q": 5}\n/tool nonexistent {}\n/tool boom {}' });
  const results = r.events.filter((e) => e.event === 'tool_result');
  assert.equal(results.length, 3);
  assert.ok(results.every((e) => e.data.ok === false));
  const byName = Object.fromEntries(results.map((e) => [e.data.name, e.data.result.error]));
  assert.match(byName.lookup, /Invalid arguments for lookup/);
  assert.match(byName.nonexistent, /Unknown tool/);
  assert.match(byName.boom, /kaboom/);
  assert.equal(r.events.at(-1)!.event, 'done');
  assert.match(r.events.at(-1)!.data.full_response, /Tool error/);
});

test('a tool that outlives its timeout ends ok:false and is aborted', async () => {
  const r = await chat(admin, { message: '/tool slow {"ms": 5000}' });
  const result = r.events.find((e) => e.event === 'tool_result')!;
  assert.equal(result.data.ok, false);
  assert.match(result.data.result.error, /timed out/);
});

// Approvals park the turn (done.approval_pending) and are answered by the next message: tests/core/aion-client-approval.test.ts.
test('approval: the turn parks; "ja" runs the tool in the next stream, "nein" refuses it', async () => {
  const parked = await chat(admin, { message: '/tool danger {}' });
  assert.equal(parked.events.find((e) => e.event === 'approval')!.data.name, 'danger');
  assert.equal(parked.events.at(-1)!.data.approval_pending, true);
  const yes = await chat(admin, { message: 'ja' });
  const result = yes.events.find((e) => e.event === 'tool_result')!;
  assert.equal(result.data.ok, true);
  assert.deepEqual(result.data.result, { done: true });
  await chat(admin, { message: '/tool danger {}' });
  const no = await chat(admin, { message: 'nein' });
  assert.match(no.events.find((e) => e.event === 'tool_result')!.data.result.error, /did not approve/);
});

test('bad input is plain JSON 4xx before any SSE', async () => {
  const empty = await chat(admin, { message: '   ' });
  assert.equal(empty.status, 400);
  assert.equal(empty.json.code, 'EMPTY_MESSAGE');
  const badProvider = await chat(admin, { message: 'hi', provider: 'nope' });
  assert.equal(badProvider.status, 400);
  assert.equal(badProvider.json.code, 'UNKNOWN_PROVIDER');
  const anon = await chat('', { message: 'hi' });
  assert.equal(anon.status, 401);
});

test('chat turns are saved as a conversation of the user; reset starts a new one', async () => {
  const u = await s.signup();
  await chat(u.token, { message: 'remember this line' });
  const status = await s.api('GET', '/api/status', { token: u.token });
  assert.equal(status.body.conversation_len, 2);
  const reset = await s.api('POST', '/api/reset', { token: u.token });
  assert.equal(reset.body.ok, true);
  assert.ok(reset.body.conversationId);
  assert.equal((await s.api('GET', '/api/status', { token: u.token })).body.conversation_len, 0);
});

test('free plan: 10 messages per rolling hour with X-RateLimit headers, then 429 with Retry-After; 3 tool calls per message', async () => {
  const u = await s.signup();
  const tools = await chat(u.token, { message: ['a', 'b', 'c', 'd'].map((q) => `/tool lookup {"q":"${q}"}`).join('\n') });
  assert.equal(tools.headers.get('x-ratelimit-limit'), '10');
  assert.equal(tools.headers.get('x-ratelimit-remaining'), '9');
  assert.ok(Number(tools.headers.get('x-ratelimit-reset')) > Date.now() / 1000);
  const results = tools.events.filter((e) => e.event === 'tool_result');
  assert.equal(results.filter((e) => e.data.ok).length, 3);
  assert.match(results.find((e) => !e.data.ok)!.data.result.error, /Plan limit/);
  for (let i = 0; i < 9; i++) assert.equal((await chat(u.token, { message: `m${i}` })).status, 200);
  const over = await chat(u.token, { message: 'one too many' });
  assert.equal(over.status, 429);
  assert.equal(over.json.code, 'RATE_LIMIT_EXCEEDED');
  assert.equal(over.json.limit, 10);
  assert.equal(over.json.plan, 'free');
  assert.ok(Number(over.headers.get('retry-after')) > 0);
  const stream = await readSse(`${s.url}/api/chat/stream`, { token: u.token, body: { messages: [{ role: 'user', content: 'hi' }] } });
  assert.equal(stream.status, 429, 'the limit spans both dialects');
  const adminChat = await chat(admin, { message: 'admins are unlimited' });
  assert.equal(adminChat.headers.get('x-ratelimit-limit'), null);
});

test('stop cancels the running turn: done carries cancelled:true and the partial turn is saved as aborted', async () => {
  const slow = await startServer({ env: { ECHO_DELAY_MS: '100' } });
  try {
    const u = await slow.signup();
    const words = Array.from({ length: 60 }, (_, i) => `w${i}`).join(' ');
    let stopped = false;
    const r = await readSse(`${slow.url}/api/chat`, {
      token: u.token,
      body: { message: words },
      onEvent: async (e, all) => {
        if (e.event === 'token' && all.filter((x) => x.event === 'token').length === 3 && !stopped) {
          stopped = true;
          const st = await slow.api('POST', '/api/stop', { token: u.token });
          assert.deepEqual(st.body, { ok: true, stopped: true });
        }
      },
    });
    const done = r.events.at(-1)!;
    assert.equal(done.event, 'done');
    assert.equal(done.data.cancelled, true);
    const convs = await slow.api('GET', '/api/status', { token: u.token });
    assert.equal(convs.body.conversation_len, 2);
    assert.deepEqual((await slow.api('POST', '/api/stop', { token: u.token })).body, { ok: true, stopped: false });
  } finally {
    await slow.dispose();
  }
});
