/**
 * Issue 13, item 7: honest answers to what the original client shows — the `default` badge, model switching to an
 * unconfigured provider, the tool count, and the hub / snapshot calls.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { clientChat } from './aion-client-stream.ts';

let s: TestServer;
let admin: string;
let user: string;
before(async () => {
  s = await startServer();
  admin = (await s.signup()).token;
  user = (await s.signup()).token;
});
after(() => s.dispose());

test('GET /api/providers marks default: true on the active provider only', async () => {
  const p = (await s.api('GET', '/api/providers', { token: user })).body;
  const defaults = p.providers.filter((x: any) => x.default === true);
  assert.deepEqual(defaults.map((x: any) => x.id), ['echo']);
  assert.equal(p.active_provider, 'echo');
  assert.ok(p.providers.length > 1);
});

test('POST /api/model to an unconfigured provider is refused with the reason; status and chat stay on the active one', async () => {
  const r = await s.api('POST', '/api/model', { token: admin, body: { model: 'claude-sonnet-4-5' } });
  assert.equal(r.status, 400);
  assert.equal(r.body.code, 'PROVIDER_NOT_CONFIGURED');
  assert.match(r.body.error, /anthropic is not configured: set ANTHROPIC_API_KEY/);
  assert.equal((await s.api('GET', '/api/status')).body.provider, 'echo');
  const chat = await clientChat(s.url, admin, { message: 'still echo' });
  assert.equal(chat.frames.at(-1)!.full_response, 'still echo');
  assert.equal((await s.api('POST', '/api/model', { token: admin, body: { model: 'echo-1' } })).body.ok, true);
  assert.equal((await s.api('POST', '/api/model', { token: user, body: { model: 'echo-1' } })).status, 403);
});

test('GET /api/plugins: total_loaded counts the tools of loaded plugins, as the client shows it under "Tools"', async () => {
  const p = (await s.api('GET', '/api/plugins', { token: admin })).body;
  const tools = p.plugins.filter((x: any) => x.loaded).reduce((n: number, x: any) => n + x.tools.length, 0);
  assert.ok(tools > 0);
  assert.equal(p.total_loaded, tools);
  assert.equal(p.loaded_plugins, p.plugins.filter((x: any) => x.loaded).length);
});

test('hub and snapshots answer a clear { error } (no hub yet), admin only', async () => {
  for (const [m, path] of [['GET', '/api/hub'], ['POST', '/api/hub/install'], ['POST', '/api/hub/remove'], ['GET', '/api/snapshots'], ['GET', '/api/snapshots/telegram'], ['POST', '/api/snapshots/telegram/restore']] as const) {
    const r = await s.api(m, path, { token: admin, body: m === 'POST' ? { name: 'x' } : undefined });
    assert.equal(r.status, 404, path);
    assert.match(r.body.error, /no plugin hub|no plugin snapshots/, path);
    assert.equal((await s.api(m, path, { token: user, body: m === 'POST' ? {} : undefined })).status, 403, path);
  }
});
