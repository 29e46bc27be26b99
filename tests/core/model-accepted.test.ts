/**
 * #12: one "is this model accepted" check at every door that chooses a model — AION `/api/model` and `/api/chat`, the
 * ALIN stream, the OpenAI-compatible `/v1` — with one coded error for the same refused name.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readSse, startServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
let admin: { token: string };
let user: { token: string };
before(async () => {
  s = await startServer();
  admin = await s.signup();
  user = await s.signup();
});
after(() => s.dispose());

/** The code a door answers a choice with: a JSON 4xx before any stream, or the stream's error event. */
async function refusal(path: string, token: string, body: unknown): Promise<{ status: number; code: string | undefined }> {
  const r = await readSse(`${s.url}${path}`, { token, body });
  return { status: r.status, code: r.json?.code ?? r.json?.error?.code ?? r.events.find((e) => e.event === 'error')?.data.code };
}

test('a model the chosen provider does not take is UNKNOWN_MODEL at every door (4 doors, 0 accepted)', async () => {
  const set = await s.api('POST', '/api/model', { token: admin.token, body: { provider: 'echo', model: 'gpt-4o' } });
  assert.equal(set.status, 400);
  assert.equal(set.body.code, 'UNKNOWN_MODEL');
  assert.equal(set.body.error, 'Unknown model for echo: gpt-4o');
  const aion = await refusal('/api/chat', user.token, { message: 'hi', provider: 'echo', model: 'gpt-4o' });
  assert.deepEqual(aion, { status: 400, code: 'UNKNOWN_MODEL' });
  const alin = await refusal('/api/chat/stream', user.token, { messages: [{ role: 'user', content: 'hi' }], provider: 'echo', model: 'gpt-4o' });
  assert.deepEqual(alin, { status: 400, code: 'UNKNOWN_MODEL' });
  const v1 = await s.api('POST', '/v1/chat/completions', { token: user.token, body: { model: 'mystery-model-9', messages: [{ role: 'user', content: 'hi' }] } });
  assert.equal(v1.status, 404);
  assert.equal(v1.body.error.code, 'model_not_found');
  const settings = await s.api('GET', '/api/providers', { token: admin.token });
  assert.notEqual(settings.body.active_model, 'gpt-4o', 'the refused choice was not saved');
});

test('an accepted model passes every door the same way', async () => {
  const set = await s.api('POST', '/api/model', { token: admin.token, body: { provider: 'echo', model: 'echo/echo-1' } });
  assert.equal(set.status, 200, set.text);
  assert.equal(set.body.model, 'echo-1', 'the provider id in front of the name is dropped');
  const aion = await readSse(`${s.url}/api/chat`, { token: user.token, body: { message: 'hi', model: 'echo-1' } });
  assert.equal(aion.status, 200);
  const alin = await readSse(`${s.url}/api/chat/stream`, { token: user.token, body: { messages: [{ role: 'user', content: 'hi' }], provider: 'echo', model: 'echo-1' } });
  assert.equal(alin.status, 200);
  assert.equal(alin.events.at(-1)?.event, 'done');
});
