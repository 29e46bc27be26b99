/**
 * Issue 13, item 5: the original client's config calls, with the original keys and types, each taking effect — proven
 * on the requests the real OpenAI SDK sends to a fake OpenAI server (`tests/fakes/openai.ts`).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeOpenAI } from '../fakes/openai.ts';
import type { FakeProvider, RecordedRequest } from '../fakes/server.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { clientChat } from './aion-client-stream.ts';

let s: TestServer;
let fake: FakeProvider;
let admin: string;

const lastUserText = (req: RecordedRequest) => {
  const users = (req.body.messages as any[]).filter((m) => m.role === 'user');
  const c = users.at(-1)?.content;
  return typeof c === 'string' ? c : (c ?? []).map((p: any) => p.text ?? '').join('');
};
const NUDGE = /announced an action but did not call a tool/;

before(async () => {
  fake = await startFakeOpenAI((req) => {
    const system = (req.body.messages as any[]).find((m) => m.role === 'system')?.content ?? '';
    const text = lastUserText(req);
    if (req.body.model === 'gpt-broken') return { error: { status: 400, message: 'this model is broken' } };
    if (/strict checker/.test(system)) return { blocks: [{ type: 'text', text: /I will now/.test(text) ? 'YES' : 'NO' }] };
    if (NUDGE.test(text)) return { blocks: [{ type: 'text', text: ' done for real' }] };
    if (text === 'please act') return { blocks: [{ type: 'text', text: 'I will now do it' }] };
    const userTurns = (req.body.messages as any[]).filter((m) => m.role === 'user').length;
    return { blocks: [{ type: 'text', text: `answer ${text} (${userTurns} user messages)` }] };
  });
  s = await startServer({ env: fake.env });
  admin = (await s.signup()).token;
  assert.equal((await s.api('POST', '/api/model', { token: admin, body: { model: 'gpt-4o-mini' } })).status, 200);
});
after(async () => {
  await s.dispose();
  await fake.close();
});

const settings = (body: Record<string, unknown>) => s.api('POST', '/api/config/settings', { token: admin, body });
const chat = (message: string) => clientChat(s.url, admin, { message });
const requestsSince = (n: number) => fake.requests.slice(n);

test('GET /api/config: the original shape with every original key in its type; never a secret', async () => {
  const r = await s.api('GET', '/api/config', { token: admin });
  assert.equal(r.status, 200);
  const { model, bot_dir, memory_entries, exchange_count, config } = r.body;
  assert.equal(model, 'gpt-4o-mini');
  assert.equal(typeof bot_dir, 'string');
  assert.equal(typeof memory_entries, 'number');
  assert.equal(typeof exchange_count, 'number');
  assert.equal(config.tts_engine, 'off');
  assert.equal(typeof config.tts_voice, 'string');
  assert.ok(Array.isArray(config.model_fallback));
  assert.equal(config.check_model, '');
  assert.equal(config.max_history_turns, 40);
  assert.equal(typeof config.thinking_level, 'string');
  assert.deepEqual(config.thinking_overrides, {});
  assert.deepEqual(config.channel_allowlist, []);
  assert.equal(typeof config.task_routing, 'object');
  assert.equal(config.browser_headless, true);
  assert.doesNotMatch(r.text, /sk-fake/);
  assert.doesNotMatch(r.text, /jwt|password/i);
});

test('POST /api/config/settings takes the client’s payloads; tts_engine edge/sapi5/pyttsx3 → 400 naming what works', async () => {
  for (const body of [
    { tts_engine: 'off', tts_voice: '' },
    { check_model: '', max_history_turns: 5 },
    { model_fallback: [] },
    { task_routing: {}, check_model: '' },
    { browser_headless: false },
  ]) {
    const r = await settings(body);
    assert.equal(r.status, 200, JSON.stringify(body) + r.text);
    assert.equal(r.body.ok, true);
  }
  for (const engine of ['edge', 'sapi5', 'pyttsx3']) {
    const r = await settings({ tts_engine: engine, tts_voice: 'de-DE-KatjaNeural' });
    assert.equal(r.status, 400);
    assert.equal(r.body.code, 'TTS_ENGINE_UNSUPPORTED');
    assert.match(r.body.error, /supported: off, elevenlabs/);
  }
  assert.equal((await settings({ tts_engine: 'elevenlabs' })).status, 200);
  assert.equal((await settings({ tts_engine: 'off' })).status, 200);
  assert.equal((await settings({ max_history_turns: 'many' })).status, 400);
  assert.equal((await settings({ task_routing: { coding: 5 } })).status, 400);
  assert.equal((await settings({ nonsense: 1 })).status, 400);
  await settings({ max_history_turns: 40, browser_headless: true });
});

test('model_fallback: when the active model fails, the next one answers (a failover thought tells the client)', async () => {
  assert.equal((await s.api('POST', '/api/model', { token: admin, body: { model: 'gpt-broken' } })).status, 200);
  await settings({ model_fallback: ['gpt-4o-mini'] });
  try {
    const n = fake.requests.length;
    const r = await chat('are you there');
    const failover = r.frames.find((f) => f.type === 'thought' && f.trigger === 'failover');
    assert.ok(failover, JSON.stringify(r.frames));
    assert.match(failover.text, /gpt-broken failed/);
    assert.equal(r.frames.at(-1)!.type, 'done');
    assert.match(r.frames.at(-1)!.full_response, /^answer are you there/);
    assert.deepEqual(requestsSince(n).map((q) => q.body.model), ['gpt-broken', 'gpt-4o-mini']);
    await settings({ model_fallback: [] });
    const alone = await chat('again');
    assert.equal(alone.frames.at(-1)!.type, 'error', 'without a fallback the failure shows');
  } finally {
    await settings({ model_fallback: [] });
    await s.api('POST', '/api/model', { token: admin, body: { model: 'gpt-4o-mini' } });
  }
});

test('max_history_turns limits the turns the model sees', async () => {
  await s.api('POST', '/api/reset', { token: admin });
  for (const m of ['one', 'two', 'three']) await chat(m);
  await settings({ max_history_turns: 5 });
  assert.match((await chat('four')).frames.at(-1)!.full_response, /\(4 user messages\)/);
  await settings({ max_history_turns: 1 });
  // One earlier turn, then the new message.
  assert.match((await chat('five')).frames.at(-1)!.full_response, /\(2 user messages\)/);
  await settings({ max_history_turns: 40 });
});

test('channel_allowlist (GET/POST /api/config/allowlist): a channel not listed gets the stream’s error', async () => {
  const set = await s.api('POST', '/api/config/allowlist', { token: admin, body: { channels: ['telegram*', ' '] } });
  assert.deepEqual(set.body, { ok: true, channel_allowlist: ['telegram*'] });
  try {
    const n = fake.requests.length;
    const r = await chat('hello');
    assert.equal(r.frames.at(-1)!.type, 'error');
    assert.match(r.frames.at(-1)!.message, /channel web is not in the channel allowlist/);
    assert.equal(fake.requests.length, n, 'the model was never called');
    await s.api('POST', '/api/config/allowlist', { token: admin, body: { channels: ['web', 'telegram*'] } });
    assert.equal((await chat('hello')).frames.at(-1)!.type, 'done');
    assert.deepEqual((await s.api('GET', '/api/config/allowlist', { token: admin })).body, { channel_allowlist: ['web', 'telegram*'] });
  } finally {
    await s.api('POST', '/api/config/allowlist', { token: admin, body: { channels: [] } });
  }
  assert.equal((await s.api('POST', '/api/config/allowlist', { token: admin, body: {} })).status, 400);
});

test('thinking_level and overrides (GET/POST /api/config/thinking) reach the model as its reasoning effort', async () => {
  await s.api('POST', '/api/model', { token: admin, body: { model: 'o4-mini' } });
  try {
    const deep = await s.api('POST', '/api/config/thinking', { token: admin, body: { level: 'deep' } });
    assert.deepEqual(deep.body, { ok: true, thinking_level: 'deep', thinking_overrides: {} });
    await chat('think hard');
    assert.equal(fake.lastRequest!.body.reasoning_effort, 'medium');
    const o = await s.api('POST', '/api/config/thinking', { token: admin, body: { level: 'minimal', channel: 'web' } });
    assert.deepEqual(o.body.thinking_overrides, { web: 'minimal' });
    await chat('think less');
    assert.equal(fake.lastRequest!.body.reasoning_effort, 'low');
    await s.api('POST', '/api/config/thinking', { token: admin, body: { level: '', channel: 'web' } });
    assert.deepEqual((await s.api('GET', '/api/config/thinking', { token: admin })).body, { thinking_level: 'deep', thinking_overrides: {} });
    assert.equal((await s.api('POST', '/api/config/thinking', { token: admin, body: { level: 'extreme' } })).status, 400);
    await s.api('POST', '/api/config/thinking', { token: admin, body: { level: 'off' } });
    await chat('no thinking');
    assert.equal(fake.lastRequest!.body.reasoning_effort, undefined);
  } finally {
    await s.api('POST', '/api/model', { token: admin, body: { model: 'gpt-4o-mini' } });
  }
});

test('check_model: an answer that only announces an action is checked and the model is nudged once to act', async () => {
  await settings({ check_model: 'gpt-4o-mini' });
  try {
    const n = fake.requests.length;
    const r = await chat('please act');
    const sent = requestsSince(n);
    assert.equal(sent.filter((q) => /strict checker/.test(q.body.messages[0]?.content ?? '')).length, 1, 'one check');
    assert.ok(sent.some((q) => NUDGE.test(lastUserText(q))), 'the nudge went to the model');
    assert.equal(r.frames.at(-1)!.full_response, 'I will now do it done for real');
    await settings({ check_model: '' });
    const m = fake.requests.length;
    assert.equal((await chat('please act')).frames.at(-1)!.full_response, 'I will now do it');
    assert.equal(fake.requests.length - m, 1, 'no check without a check model');
  } finally {
    await settings({ check_model: '' });
  }
});

test('task_routing in the original shape sends coding messages to the coding model, the rest to default/active', async () => {
  await settings({ task_routing: { coding: 'gpt-4o' } });
  try {
    await chat('please fix this python bug');
    assert.equal(fake.lastRequest!.body.model, 'gpt-4o');
    await chat('good morning');
    assert.equal(fake.lastRequest!.body.model, 'gpt-4o-mini');
    await settings({ task_routing: { coding: 'gpt-4o', default: 'gpt-4.1' } });
    await chat('good evening');
    assert.equal(fake.lastRequest!.body.model, 'gpt-4.1');
  } finally {
    await settings({ task_routing: {} });
  }
});

test('exchange_count counts finished turns; POST /api/config/reset_exchanges sets it to 0', async () => {
  await chat('count me');
  assert.ok((await s.api('GET', '/api/config', { token: admin })).body.exchange_count > 0);
  assert.deepEqual((await s.api('POST', '/api/config/reset_exchanges', { token: admin })).body, { ok: true });
  assert.equal((await s.api('GET', '/api/config', { token: admin })).body.exchange_count, 0);
});
