/**
 * Issue 18: the small server routes the control panel's admin pages need — users with usage and disabling (a disabled
 * account's token, API key and password stop working), a turn that fails shows as `turn_error` in the activity (and
 * `?type=` filters), an MCP server restart, the `public_url` setting (HTTPS only), and the metrics history.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startFakeOpenAI } from '../fakes/openai.ts';
import type { FakeProvider } from '../fakes/server.ts';
import { ROOT, startServer, type TestServer } from '../helpers/server.ts';
import { clientChat, eventually } from './aion-client-stream.ts';

const FAKE_MCP = path.join(ROOT, 'tests/fakes/mcp-stdio-server.mjs');

let s: TestServer;
let fake: FakeProvider;
let admin: { token: string; user: any };

before(async () => {
  fake = await startFakeOpenAI((req) => (req.body.model === 'gpt-broken' ? { error: { status: 400, message: 'this model is broken' } } : { blocks: [{ type: 'text', text: 'fine' }] }));
  s = await startServer({ env: { ...fake.env, SYSTEM_METRICS_SAMPLE_MS: '150', PUBLIC_URL: 'https://env.example.org/' } });
  admin = await s.signup();
});
after(async () => {
  await s?.dispose();
  await fake?.close();
});

test('admin users list carries each user’s usage; plans change; only admins may look', async () => {
  const u = await s.signup();
  await clientChat(s.url, u.token, { message: 'hello' });
  const r = await s.api('GET', '/api/admin/users', { token: admin.token });
  assert.equal(r.status, 200);
  const row = r.body.users.find((x: any) => x.id === u.user.id);
  assert.equal(row.usage.messagesThisHour, 1);
  assert.equal(typeof row.usage.tokensToday, 'number');
  assert.ok(!JSON.stringify(r.body).includes('passwordHash'), 'no hashes');
  assert.equal((await s.api('PATCH', `/api/admin/users/${u.user.id}`, { token: admin.token, body: { plan: 'pro' } })).body.user.plan, 'pro');
  assert.equal((await s.api('GET', '/api/admin/users', { token: u.token })).status, 403);
  assert.equal((await s.api('PATCH', `/api/admin/users/${admin.user.id}`, { token: u.token, body: { disabled: true } })).status, 403, 'a user cannot disable the admin');
});

test('a disabled account: its token, its API key and its password stop working; enabling lets it sign in again', async () => {
  const u = await s.signup();
  const key = (await s.api('POST', '/api/auth/api-keys', { token: u.token, body: { name: 'cli' } })).body.key;
  assert.equal((await s.api('GET', '/api/auth/me', { token: key })).status, 200);
  const off = await s.api('PATCH', `/api/admin/users/${u.user.id}`, { token: admin.token, body: { disabled: true } });
  assert.equal(off.status, 200);
  assert.equal(off.body.user.disabled, true);
  assert.equal((await s.api('GET', '/api/auth/me', { token: u.token })).status, 401, 'token refused');
  assert.equal((await s.api('GET', '/api/auth/me', { token: key })).status, 401, 'API key refused');
  assert.equal((await s.api('POST', '/api/chat', { token: key, body: { message: 'still here?' } })).status, 401);
  const login = await s.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
  assert.equal(login.status, 403);
  assert.equal(login.body.code, 'ACCOUNT_DISABLED');
  const wrong = await s.api('POST', '/api/auth/login', { body: { email: u.email, password: 'not the password' } });
  assert.equal(wrong.body.code, 'INVALID_CREDENTIALS', 'a wrong password does not learn that the account is disabled');
  await s.api('PATCH', `/api/admin/users/${u.user.id}`, { token: admin.token, body: { disabled: false } });
  assert.equal((await s.api('GET', '/api/auth/me', { token: u.token })).status, 401, 'the old token stays revoked');
  const again = await s.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
  assert.equal(again.status, 200);
  assert.equal(again.body.user.disabled, undefined);
});

test('the admin cannot disable themselves or the last admin; bad bodies are 400', async () => {
  const self = await s.api('PATCH', `/api/admin/users/${admin.user.id}`, { token: admin.token, body: { disabled: true } });
  assert.equal(self.status, 409);
  assert.equal(self.body.code, 'CANNOT_DISABLE_SELF');
  const other = await s.signup();
  await s.api('PATCH', `/api/admin/users/${other.user.id}`, { token: admin.token, body: { role: 'admin' } });
  // The other admin disabling the first leaves one active admin; then the last one cannot be disabled by anyone.
  assert.equal((await s.api('PATCH', `/api/admin/users/${admin.user.id}`, { token: other.token, body: { disabled: true } })).status, 200);
  const last = await s.api('PATCH', `/api/admin/users/${other.user.id}`, { token: other.token, body: { role: 'user' } });
  assert.equal(last.status, 409);
  assert.equal(last.body.code, 'LAST_ADMIN');
  assert.equal((await s.api('PATCH', `/api/admin/users/${admin.user.id}`, { token: other.token, body: { disabled: false } })).status, 200);
  admin = { ...admin, token: (await s.api('POST', '/api/auth/login', { body: { email: admin.user.email, password: 'correct horse battery' } })).body.token };
  for (const body of [{}, { disabled: 'yes' }, { plan: 'gold' }]) {
    const r = await s.api('PATCH', `/api/admin/users/${other.user.id}`, { token: admin.token, body });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.ok(r.body.code);
  }
});

test('activity: a failed turn is a turn_error with its code; ?type= keeps only the asked types', async () => {
  assert.equal((await s.api('POST', '/api/model', { token: admin.token, body: { model: 'gpt-broken' } })).status, 200);
  try {
    const r = await clientChat(s.url, admin.token, { message: 'please fail' });
    assert.equal(r.frames.at(-1)!.type, 'error');
  } finally {
    await s.api('POST', '/api/model', { token: admin.token, body: { model: 'gpt-4o-mini' } });
  }
  await clientChat(s.url, admin.token, { message: 'and now work' });
  const all = (await s.api('GET', '/api/activity?limit=100', { token: admin.token })).body.events;
  const failed = all.find((e: any) => e.type === 'turn_error');
  assert.ok(failed, JSON.stringify(all));
  assert.equal(failed.ok, false);
  assert.equal(typeof failed.code, 'string');
  assert.ok(all.some((e: any) => e.type === 'turn_done' && e.ok === true));
  const only = (await s.api('GET', '/api/activity?type=turn_error', { token: admin.token })).body.events;
  assert.ok(only.length >= 1 && only.every((e: any) => e.type === 'turn_error'));
  const bad = await s.api('GET', '/api/activity?type=nonsense', { token: admin.token });
  assert.equal(bad.status, 400);
  const other = await s.signup();
  assert.deepEqual((await s.api('GET', '/api/activity', { token: other.token })).body.events, [], 'per user');
});

test('MCP: restart reconnects a server (its restart count goes up); unknown → 404; admins only', async () => {
  const add = await s.api('POST', '/api/mcp/servers', { token: admin.token, body: { name: 'again', command: process.execPath, args: [FAKE_MCP], trusted: true } });
  assert.equal(add.status, 201, add.text);
  const status = async () => (await s.api('GET', '/api/mcp/servers', { token: admin.token })).body.servers.find((x: any) => x.name === 'again');
  const first = await eventually(async () => ((await status())?.status === 'connected' ? status() : undefined));
  const r = await s.api('POST', '/api/mcp/servers/again/restart', { token: admin.token });
  assert.equal(r.status, 202);
  await eventually(async () => {
    const now = await status();
    return now.status === 'connected' && now.restarts > first.restarts && now.toolCount === 4;
  });
  assert.equal((await s.api('POST', '/api/mcp/servers/nobody/restart', { token: admin.token })).status, 404);
  assert.equal((await s.api('POST', '/api/mcp/servers/again/restart', { token: (await s.signup()).token })).status, 403);
  await s.api('DELETE', '/api/mcp/servers/again', { token: admin.token });
});

test('public_url: only https:// without credentials is accepted; the environment value is the fallback', async () => {
  const config = async () => (await s.api('GET', '/api/config', { token: admin.token })).body;
  assert.equal((await config()).public_url, 'https://env.example.org');
  for (const bad of ['http://aion.example.org', 'https://user:pw@aion.example.org', 'ftp://x', 'not a url', 'https://a.example.org/?q=1']) {
    const r = await s.api('POST', '/api/config/settings', { token: admin.token, body: { public_url: bad } });
    assert.equal(r.status, 400, bad);
  }
  assert.equal((await s.api('POST', '/api/config/settings', { token: admin.token, body: { public_url: 'https://aion.example.org/base/' } })).status, 200);
  assert.equal((await config()).public_url, 'https://aion.example.org/base');
  await s.api('POST', '/api/config/settings', { token: admin.token, body: { public_url: '' } });
  assert.equal((await config()).public_url, 'https://env.example.org');
});

test('system metrics: ?history=1 returns the sampled series (CPU, memory, event-loop lag), oldest first', async () => {
  const plain = await s.api('GET', '/api/system/metrics', { token: admin.token });
  assert.equal(plain.status, 200);
  assert.equal(plain.body.history, undefined, 'only when asked');
  const history = await eventually(async () => {
    const h = (await s.api('GET', '/api/system/metrics?history=1', { token: admin.token })).body.history;
    return h.length >= 3 ? h : undefined;
  });
  for (const x of history) {
    assert.ok(x.cpu >= 0 && x.cpu <= 100);
    assert.ok(x.memory > 0 && x.memory <= 100);
    assert.ok(x.lagMeanMs >= 0 && x.lagMaxMs >= x.lagMeanMs);
  }
  assert.ok(history.every((x: any, i: number) => i === 0 || x.ts >= history[i - 1].ts));
  assert.equal((await s.api('GET', '/api/system/metrics?history=lots', { token: admin.token })).status, 400);
});

test('keys: a path setting (CLAUDE_CLI_PATH) is listed as a path with its value; secrets stay masked', async () => {
  assert.equal((await s.api('POST', '/api/keys', { token: admin.token, body: { CLAUDE_CLI_PATH: '/opt/claude/bin/claude', OPENAI_API_KEY: 'sk-secret-value-123456' } })).status, 200);
  const r = (await s.api('GET', '/api/keys', { token: admin.token })).body;
  const all = [...r.providers.flatMap((p: any) => p.env_keys), ...r.other_keys];
  const cli = all.find((k: any) => k.key === 'CLAUDE_CLI_PATH');
  assert.equal(cli.kind, 'path');
  assert.equal(cli.value, '/opt/claude/bin/claude');
  const openai = all.find((k: any) => k.key === 'OPENAI_API_KEY');
  assert.equal(openai.kind, undefined, 'a secret keeps the original shape');
  assert.equal(openai.value, undefined);
  assert.ok(!JSON.stringify(r).includes('sk-secret-value-123456'));
});

test('a disabled account acts nowhere: its schedules fail with ACCOUNT_DISABLED instead of running a turn', async () => {
  const scheduler = (values: Record<string, unknown>) => s.api('POST', '/api/config/settings', { token: admin.token, body: { scheduler: values } });
  assert.equal((await scheduler({ min_interval_seconds: 1, tick_ms: 250 })).status, 200);
  const u = await s.signup();
  const setUser = (body: Record<string, unknown>) => s.api('PATCH', `/api/admin/users/${u.user.id}`, { token: admin.token, body });
  await setUser({ plan: 'pro' });
  const created = await s.api('POST', '/api/schedules', { token: u.token, body: { name: 'tick', task: 'say tick', interval: '1s' } });
  assert.equal(created.status, 201, created.text);
  await eventually(async () => ((await s.api('GET', '/api/schedules', { token: u.token })).body.tasks[0]?.last_status === 'ok' ? true : undefined), 15_000);
  assert.equal((await setUser({ disabled: true })).status, 200);
  assert.equal((await s.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } })).status, 403);
  // Look at the stored outcome: freeze the scheduler's ticks, enable the account for one read, disable it again.
  const task = await eventually(async () => {
    await new Promise((r) => setTimeout(r, 300));
    await scheduler({ tick_ms: 60_000 });
    await setUser({ disabled: false });
    const token = (await s.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } })).body.token;
    const t = (await s.api('GET', '/api/schedules', { token })).body.tasks[0];
    await setUser({ disabled: true });
    await scheduler({ tick_ms: 250 });
    return t.last_status === 'error' ? t : undefined;
  }, 20_000);
  assert.match(task.last_error, /disabled/);
  await scheduler({ tick_ms: 1000 });
});
