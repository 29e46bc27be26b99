/**
 * Limits as the original ALIN server: chat bodies up to 10 MB (a 1.1 MB image is not a 413) while other routes keep
 * the default; requests refused before the model starts cost nothing; the continuation with the results of the tools
 * the server asked for is free and never refused (a 429 never replaces a tool's output); a faked continuation pays.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { TestServer } from '../helpers/server.ts';
import { readSse } from '../helpers/sse.ts';
import { assertError, bootWithAdmin, type Account } from './helpers.ts';

let s: TestServer;
let free: Account;
before(async () => {
  ({ s } = await bootWithAdmin());
  free = await s.signup(); // not the first account: the free plan, 10 messages an hour
});
after(() => s.dispose());

const TOOLS = [{ name: 'get_weather', description: 'Weather of a city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }];
const chat = (path: 'stream' | 'continue', body: unknown, token = free.token) => readSse(`${s.url}/api/chat/${path}`, { token, body });
const remaining = (r: { headers: Headers }) => Number(r.headers.get('x-ratelimit-remaining'));
const ask = (text: string) => ({ messages: [{ role: 'user', content: text }], tools: TOOLS });

/** Ask for a tool; returns the original messages plus the assistant turn, and the tool_use id. */
async function toolTurn() {
  const first = [{ role: 'user', content: '/tool get_weather {"city":"Oslo"}' }];
  const r = await chat('stream', { messages: first, tools: TOOLS });
  assert.equal(r.status, 200);
  const use = r.events.find((e) => e.event === 'tool_use')!.data;
  const history = [...first, { role: 'assistant', content: [{ type: 'tool_use', id: use.id, name: use.name, input: use.input }] }];
  const withResult = (id = use.id) => [...history, { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'sunny, 21°C' }] }];
  return { r, id: use.id as string, withResult };
}

it('requests refused before the model starts cost nothing', async () => {
  for (let i = 0; i < 12; i++) {
    const provider = await chat('stream', { ...ask('hi'), provider: 'no-such-provider' });
    assert.equal(provider.status, 400);
    assert.equal(typeof provider.json.error, 'string');
    const bad = await chat('stream', { messages: 'not an array' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.code, 'VALIDATION_ERROR');
  }
  const ok = await chat('stream', ask('hello'));
  assert.equal(ok.status, 200);
  assert.equal(remaining(ok), 9, 'only the accepted message was counted');
});

it("the continuation with the requested tools' results is free; a repeated or faked one pays", async () => {
  const t = await toolTurn();
  assert.equal(remaining(t.r), 8);
  const cont = await chat('continue', { messages: t.withResult(), tools: TOOLS });
  assert.equal(cont.status, 200);
  assert.equal(remaining(cont), 8, 'not charged');
  assert.match(cont.events.filter((e) => e.event === 'text_delta').map((e) => e.data.text).join(''), /sunny, 21°C/);
  assert.equal(remaining(await chat('continue', { messages: t.withResult(), tools: TOOLS })), 7, 'the same ids again are a new message');
  assert.equal(remaining(await chat('continue', { messages: t.withResult('toolu_made_up'), tools: TOOLS })), 6, 'ids we never issued pay');
});

it('over the limit: a new message is a 429, the pending tool continuation still answers with the tool output', async () => {
  const t = await toolTurn(); // 5 left
  for (let left = remaining(t.r); left > 0; left--) assert.equal((await chat('stream', ask('more'))).status, 200);
  const refused = await chat('stream', ask('one too many'));
  assert.equal(refused.status, 429);
  assert.equal(refused.json.code, 'RATE_LIMIT_EXCEEDED');
  assert.ok(Number(refused.headers.get('retry-after')) > 0);
  assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
  const cont = await chat('continue', { messages: t.withResult(), tools: TOOLS });
  assert.equal(cont.status, 200, JSON.stringify(cont.json));
  assert.match(cont.events.filter((e) => e.event === 'text_delta').map((e) => e.data.text).join(''), /sunny, 21°C/);
  assert.equal(cont.events.at(-1)!.event, 'done');
  // And a fake continuation is still refused.
  assert.equal((await chat('continue', { messages: t.withResult('toolu_fake'), tools: TOOLS })).status, 429);
});

it('chat bodies up to 10 MB: a 1.1 MB image streams; 11 MB is a 413; other routes keep the 1 MB default', async () => {
  const pro = await s.signup();
  const image = Buffer.alloc(1_100_000, 7).toString('base64');
  const body = { messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: image } }, { type: 'text', text: 'what is this?' }] }] };
  const r = await chat('stream', body, pro.token);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.events.at(-1)!.event, 'done');
  const huge = await chat('stream', { messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'A'.repeat(11 * 1024 * 1024) } }] }] }, pro.token);
  assert.equal(huge.status, 413);
  const big = await s.api('POST', '/api/conversations', { token: pro.token, body: { title: 'x', metadata: { blob: 'A'.repeat(1_100_000) } } });
  assertError(big, 413);
});

it('the last slot of the hour goes to one of many concurrent messages; the others get 429 and leave no turn running', async () => {
  // The model call starts while the message is counted (issue #16's time to first token): whichever check refuses them
  // (before the model starts, or the count after it started: plugins/alin-chat/charge.test.ts), the requests that lose
  // the last slot are refused and leave no turn behind.
  const u = await s.signup();
  for (let i = 0; i < 9; i++) assert.equal((await chat('stream', ask(`m${i}`), u.token)).status, 200);
  const all = await Promise.all(Array.from({ length: 6 }, (_, i) => chat('stream', ask(`race ${i}`), u.token)));
  const ok = all.filter((r) => r.status === 200);
  assert.equal(ok.length, 1, 'one message takes the last slot');
  assert.equal(all.filter((r) => r.status === 429).length, 5);
  for (const r of all.filter((x) => x.status === 429)) assert.equal(r.json.code, 'RATE_LIMIT_EXCEEDED');
  assert.equal(ok[0].events.at(-1)!.event, 'done');
  assert.match(ok[0].events.filter((e) => e.event === 'text_delta').map((e) => e.data.text).join(''), /race \d/);
  // No refused turn is left running: a stop finds nothing to cancel.
  const stop = await s.api('POST', '/api/stop', { token: u.token });
  assert.equal(stop.body.stopped, false);
});
