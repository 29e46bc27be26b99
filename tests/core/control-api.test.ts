import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
let admin: string;
let user: string;
before(async () => {
  s = await startServer();
  admin = (await s.signup()).token;
  user = (await s.signup()).token;
});
after(() => s.dispose());

test('errors: malformed JSON → 400, oversized body → 413, unknown route → 404 JSON, never a stack', async () => {
  const bad = await s.api('POST', '/api/auth/login', { raw: '{"email": ' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.code, 'INVALID_JSON');
  const big = await s.api('POST', '/api/auth/login', { raw: JSON.stringify({ email: 'x'.repeat(3_000_000), password: 'y' }) });
  assert.equal(big.status, 413);
  assert.equal(big.body.code, 'PAYLOAD_TOO_LARGE');
  const missing = await s.api('GET', '/api/does-not-exist', { token: admin });
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, 'NOT_FOUND');
  for (const r of [bad, big, missing]) assert.doesNotMatch(r.text, /at .*\.ts:\d+/);
});

test('openapi.json is public, OpenAPI 3.1, and covers the routes of every plugin', async () => {
  const r = await s.api('GET', '/api/openapi.json');
  assert.equal(r.status, 200);
  assert.equal(r.body.openapi, '3.1.0');
  for (const p of ['/api/auth/signup', '/api/chat', '/api/chat/stream', '/api/plugins', '/api/keys', '/api/prompt/{name}']) assert.ok(r.body.paths[p], p);
  assert.ok(r.body.paths['/api/auth/signup'].post.requestBody.content['application/json'].schema.properties.email);
});

test('status is public; counts only with a token', async () => {
  const anon = await s.api('GET', '/api/status');
  assert.equal(anon.status, 200);
  assert.equal(anon.body.status, 'ok');
  assert.equal(anon.body.provider, 'echo');
  assert.equal(anon.body.model, 'echo-1');
  assert.equal(typeof anon.body.uptime, 'number');
  assert.equal(typeof anon.body.plugins.loaded, 'number');
  assert.ok(!('memory_entries' in anon.body));
  const authed = await s.api('GET', '/api/status', { token: user });
  assert.equal(typeof authed.body.memory_entries, 'number');
  assert.equal(typeof authed.body.conversation_len, 'number');
  const health = await s.api('GET', '/api/health');
  assert.deepEqual(Object.keys(health.body).sort(), ['service', 'status', 'uptime', 'version']);
});

test('admin-only endpoints refuse users (403) and anonymous callers (401)', async () => {
  for (const [m, p] of [['GET', '/api/keys'], ['POST', '/api/keys'], ['GET', '/api/config'], ['POST', '/api/config/settings'], ['GET', '/api/prompt/rules'], ['POST', '/api/prompt/rules'], ['POST', '/api/model'], ['GET', '/api/plugins']] as const) {
    assert.equal((await s.api(m, p, { body: m === 'POST' ? {} : undefined })).status, 401, `${m} ${p} anonymous`);
    assert.equal((await s.api(m, p, { token: user, body: m === 'POST' ? {} : undefined })).status, 403, `${m} ${p} user`);
  }
});

test('keys: saved to ENV_FILE with mode 600, masked in GET, other lines kept; bad names refused', async () => {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(s.envFile, '# my settings\nSOME_OTHER=1\n');
  const r = await s.api('POST', '/api/keys', { token: admin, body: { OPENAI_API_KEY: 'sk-test-1234567890abcdef', MY_SERVICE_TOKEN: 'short' } });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { ok: true, updated: ['OPENAI_API_KEY', 'MY_SERVICE_TOKEN'] });
  const file = readFileSync(s.envFile, 'utf8');
  assert.match(file, /^# my settings$/m);
  assert.match(file, /^SOME_OTHER=1$/m);
  assert.match(file, /^OPENAI_API_KEY=sk-test-1234567890abcdef$/m);
  assert.equal(statSync(s.envFile).mode & 0o777, 0o600);
  const g = await s.api('GET', '/api/keys', { token: admin });
  const openai = g.body.providers.flatMap((p: any) => p.env_keys).find((k: any) => k.key === 'OPENAI_API_KEY');
  assert.deepEqual(openai, { key: 'OPENAI_API_KEY', set: true, masked: 'sk-t…cdef' });
  assert.doesNotMatch(g.text, /1234567890/);
  for (const bad of [{ PATH: '/tmp' }, { NODE_OPTIONS: '--inspect' }, { JWT_SECRET: 'x' }, { lower_key: 'x' }]) {
    const b = await s.api('POST', '/api/keys', { token: admin, body: bad });
    assert.equal(b.status, 400, JSON.stringify(bad));
  }
  // A newline is kept (quoted in the file: tests/core/store-hygiene.test.ts); a carriage return or NUL is refused.
  assert.equal((await s.api('POST', '/api/keys', { token: admin, body: { A_KEY: 'x\ry' } })).status, 400);
  assert.equal((await s.api('POST', '/api/keys', { token: admin, body: { A_KEY: 'x\u0000y' } })).status, 400);
  const cfg = await s.api('GET', '/api/config', { token: admin });
  assert.doesNotMatch(cfg.text, /sk-test-1234567890abcdef/);
  const p = await s.api('GET', '/api/providers', { token: user });
  assert.equal(p.body.active_provider, 'openai', 'a saved key is used without a restart');
  await s.api('POST', '/api/keys', { token: admin, body: { OPENAI_API_KEY: '' } });
  const cleared = await s.api('GET', '/api/keys', { token: admin });
  assert.equal(cleared.body.providers.flatMap((x: any) => x.env_keys).find((k: any) => k.key === 'OPENAI_API_KEY').set, false);
});

test('config and settings: stats present, unknown keys → 400, values validated, changes persist', async () => {
  const c = await s.api('GET', '/api/config', { token: admin });
  assert.equal(c.status, 200);
  for (const k of ['users', 'conversations', 'messages', 'memory_entries', 'plugins', 'uptime', 'dataBytes']) assert.equal(typeof c.body.stats[k], 'number', k);
  assert.equal(c.body.settings.thinking_level, 'off');
  assert.equal((await s.api('POST', '/api/config/settings', { token: admin, body: { nope: 1 } })).status, 400);
  assert.equal((await s.api('POST', '/api/config/settings', { token: admin, body: { thinking_level: 'extreme' } })).status, 400);
  const ok = await s.api('POST', '/api/config/settings', { token: admin, body: { thinking_level: 'deep', max_history_turns: 12 } });
  assert.equal(ok.body.ok, true);
  assert.equal(ok.body.settings.thinking_level, 'deep');
  s = await s.restart();
  const after = await s.api('GET', '/api/config', { token: admin });
  assert.equal(after.body.settings.max_history_turns, 12);
  await s.api('POST', '/api/config/settings', { token: admin, body: { thinking_level: 'off' } });
});

test('prompts: read shipped, save override under DATA_DIR, alias self_doc, unknown → 404, revert', async () => {
  const r = await s.api('GET', '/api/prompt/rules', { token: admin });
  assert.equal(r.status, 200);
  assert.equal(r.body.name, 'rules');
  assert.match(r.body.content, /Rules/);
  const w = await s.api('POST', '/api/prompt/self_doc', { token: admin, body: { content: 'I am edited.' } });
  assert.deepEqual(w.body, { ok: true, name: 'self', bytes: 12 });
  const self = await s.api('GET', '/api/prompt/self', { token: admin });
  assert.equal(self.body.content, 'I am edited.');
  assert.ok(self.body.path.startsWith(s.dataDir));
  assert.equal((await s.api('GET', '/api/prompt/secrets', { token: admin })).status, 404);
  assert.equal((await s.api('POST', '/api/prompt/rules', { token: admin, body: {} })).status, 400);
  const rev = await s.api('DELETE', '/api/prompt/self', { token: admin });
  assert.match(rev.body.content, /Self/);
});

test('model and providers: echo is the offline default; switching validates provider and model', async () => {
  const p = await s.api('GET', '/api/providers', { token: user });
  assert.equal(p.status, 200);
  assert.equal(p.body.active_provider, 'echo');
  assert.equal(p.body.active_model, 'echo-1');
  const echo = p.body.providers.find((x: any) => x.id === 'echo');
  assert.deepEqual({ configured: echo.configured, models: echo.models }, { configured: true, models: ['echo-1'] });
  assert.equal(p.body.total_providers, p.body.providers.length);
  assert.equal((await s.api('POST', '/api/model', { token: admin, body: { model: 'mystery-9' } })).status, 400);
  assert.equal((await s.api('POST', '/api/model', { token: admin, body: { model: 'x', provider: 'nope' } })).status, 400);
  assert.equal((await s.api('POST', '/api/model', { token: admin, body: {} })).status, 400);
  const ok = await s.api('POST', '/api/model', { token: admin, body: { model: 'echo-1' } });
  assert.deepEqual({ ok: ok.body.ok, model: ok.body.model, provider: ok.body.provider }, { ok: true, model: 'echo-1', provider: 'echo' });
});
