/**
 * No secret leaves in an error. Upstreams that quote the credential they received (OpenAI: "Incorrect API key
 * provided: sk-…"; here Anthropic's stand-in does the same), a plugin tool that throws or returns the key, a route that
 * crashes with a path and the key in its message, and a plugin that logs it: the key must not appear in the SSE
 * `error` frame of either dialect, in a tool result, in an HTTP error, or anywhere in the server's log output.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { startFakeAnthropic, startFakeOpenAI, type FakeProvider } from '../fakes/index.ts';
import { pluginsDir, writePlugin } from '../helpers/plugins.ts';
import { readSse, startServer, type TestServer } from '../helpers/server.ts';

const OPENAI_KEY = `sk-proj-${randomBytes(30).toString('base64url')}`;
// A key with no recognisable shape: only knowing the configured value can catch it.
const ANTHROPIC_KEY = `plain words key ${randomBytes(4).toString('hex')}`;
// Quoted by the upstream but configured nowhere: caught by its shape.
const STRANGER = `sk-ant-api03-${randomBytes(24).toString('base64url')}`;
const JWT_SECRET = `jwt-${randomBytes(24).toString('hex')}`;
const SECRETS = [OPENAI_KEY, ANTHROPIC_KEY, STRANGER, JWT_SECRET];

const LEAKY_PLUGIN = `
export default {
  name: 'leaky',
  version: '1.0.0',
  setup(ctx) {
    const key = () => ctx.secrets.get('OPENAI_API_KEY');
    ctx.tools.register({ name: 'leaky_throw', description: 'Throws with the key', risk: 'read', input: { type: 'object', properties: {} },
      run: () => { throw new Error('upstream said: Incorrect API key provided: ' + key() + ' (Authorization: Bearer ' + key() + ')'); } });
    ctx.tools.register({ name: 'leaky_return', description: 'Returns the key', risk: 'read', input: { type: 'object', properties: {} },
      run: () => ({ ok: false, message: 'Incorrect API key provided: ' + key(), checksum: '${'ab12'.repeat(10)}' }) });
    ctx.routes.get('/leaky/crash', () => { throw new Error('ENOENT: open /srv/aion/data/store/users.json failed for ' + key()); });
    ctx.log.warn({ detail: 'configured with ' + key(), jwt: process.env.JWT_SECRET }, 'leaky plugin logs ' + key());
  },
};
`;

const fakes: FakeProvider[] = [];
let s: TestServer;
let token: string;
before(async () => {
  const openai = await startFakeOpenAI((req) => ({
    error: { status: 401, message: `Incorrect API key provided: ${String(req.headers.authorization).replace(/^Bearer /, '')}. Also tried ${STRANGER}. You can find your API key at https://platform.openai.com/account/api-keys.` },
  }));
  // The plugin sends a key of this shape as a bearer token; quote whichever credential arrived.
  const anthropic = await startFakeAnthropic((req) => ({
    error: { status: 401, message: `invalid x-api-key: ${req.headers['x-api-key'] ?? String(req.headers.authorization).replace(/^Bearer /, '')}` },
  }));
  fakes.push(openai, anthropic);
  const dir = pluginsDir();
  writePlugin(dir, 'leaky', LEAKY_PLUGIN, { name: 'leaky', version: '1.0.0', api: '^1.0.0', capabilities: { secrets: ['OPENAI_API_KEY'] } });
  s = await startServer({
    env: {
      ...openai.env,
      ...anthropic.env,
      OPENAI_API_KEY: OPENAI_KEY,
      ANTHROPIC_API_KEY: ANTHROPIC_KEY,
      JWT_SECRET,
      PLUGINS_DIRS: dir,
      LOG_LEVEL: 'debug',
    },
  });
  token = (await s.signup()).token;
});
after(async () => {
  await s.dispose();
  for (const f of fakes) await f.close();
});

function assertClean(where: string, text: string) {
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `${where} contains a secret: ${text.slice(0, 400)}`);
}

const MODELS = { openai: 'gpt-4o-mini', anthropic: 'claude-haiku-4-5' } as const;

for (const provider of ['openai', 'anthropic'] as const) {
  test(`${provider}: an upstream error quoting the key reaches neither SSE dialect with the key`, async () => {
    const alin = await readSse(`${s.url}/api/chat/stream`, { token, body: { provider, model: MODELS[provider], messages: [{ role: 'user', content: 'hi' }] } });
    const aion = await readSse(`${s.url}/api/chat`, { token, body: { message: 'hi', provider, model: MODELS[provider] } });
    for (const [dialect, r] of [['alin', alin], ['aion', aion]] as const) {
      const whole = JSON.stringify(r.events) + JSON.stringify(r.json ?? '');
      assert.ok(fakes[provider === 'openai' ? 0 : 1].requests.length > 0, 'the upstream was called');
      const error = r.events.find((e) => e.event === 'error');
      assert.ok(error || r.json, `${dialect}: an error is reported (${whole.slice(0, 300)})`);
      const message = String(error ? error.data.error ?? error.data.message : r.json.error);
      assert.match(message, /401|API key|x-api-key/i, `${dialect}: the error still says what went wrong: ${message}`);
      assertClean(`${provider} ${dialect} stream`, whole);
    }
  });
}

test('a key saved through POST /api/keys is scrubbed from the very next error', async () => {
  const fresh = `another shapeless key ${randomBytes(4).toString('hex')}`;
  SECRETS.push(fresh);
  const saved = await s.api('POST', '/api/keys', { token, body: { OPENAI_API_KEY: fresh } });
  assert.equal(saved.status, 200, saved.text);
  const r = await readSse(`${s.url}/api/chat/stream`, { token, body: { provider: 'openai', model: MODELS.openai, messages: [{ role: 'user', content: 'hi' }] } });
  assert.ok(fakes[0].lastRequest!.headers.authorization?.includes(fresh), 'the new key was used');
  assert.ok(r.events.some((e) => e.event === 'error'));
  assertClean('stream after a key change', JSON.stringify(r.events));
});

test('tool errors and tool results carry no configured secret; exact non-secret data is kept', async () => {
  const r = await readSse(`${s.url}/api/chat`, { token, body: { message: '/tool leaky_throw {}\n/tool leaky_return {}', provider: 'echo' } });
  const results = r.events.filter((e) => e.event === 'tool_result');
  assert.equal(results.length, 2, JSON.stringify(r.events).slice(0, 500));
  assertClean('tool results', JSON.stringify(r.events));
  const byName = Object.fromEntries(results.map((e) => [e.data.name, e.data.result]));
  assert.match(byName.leaky_throw.error, /Incorrect API key provided: \[redacted\]/);
  assert.equal(byName.leaky_return.checksum, 'ab12'.repeat(10), 'a successful result is not mangled by shape rules');
});

test('a crashing route answers a generic 500 with a request id: no path, no key, no stack', async () => {
  const r = await s.api('GET', '/api/leaky/crash', { token });
  assert.equal(r.status, 500);
  assert.equal(r.body.code, 'INTERNAL_ERROR');
  assert.equal(r.body.requestId, r.headers.get('x-request-id'));
  assert.ok(!/\/srv|users\.json|ENOENT|at /.test(r.text), r.text);
  assertClean('500 body', r.text);
});

test('the server log never contains a secret (upstream errors, tool errors, crashes, plugin logging)', async () => {
  await new Promise((resolve) => setTimeout(resolve, 200)); // let the child flush its last lines
  assert.match(s.output, /leaky plugin logs \[redacted\]/, 'the plugin line was logged, scrubbed');
  assert.match(s.output, /unhandled error/, 'the crash was logged');
  assertClean('server log', s.output);
});
