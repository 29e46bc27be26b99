/**
 * The MCP client against a real stdio MCP server written with the SDK's McpServer (tests/fakes/mcp-stdio-server.mjs):
 * configured in the MCP_CONFIG file and through the admin endpoints, its tools called by the agent (echo provider)
 * with approval when untrusted and without when trusted, a clean environment without AION's secrets, restart after
 * a crash, live add/change/remove, admin-only endpoints that never show env values.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, readSse, startServer, type SseEvent, type TestServer } from '../helpers/server.ts';

const FAKE = path.join(ROOT, 'tests/fakes/mcp-stdio-server.mjs');
const SECRETS = { JWT_SECRET: 'jwt-secret-must-not-leak-0123456789', OPENAI_API_KEY: 'sk-must-not-leak-abcdef', AION_TEST_SECRET: 'do-not-pass-me' };
const stdio = (env: Record<string, string> = {}, extra: Record<string, unknown> = {}) => ({ command: process.execPath, args: [FAKE], env, ...extra });

let s: TestServer;
let admin: { token: string };
let user: { token: string };
let configFile: string;

async function servers() {
  const r = await s.api('GET', '/api/mcp/servers', { token: admin.token });
  assert.equal(r.status, 200);
  return r;
}

/** Poll the status until `check` holds (the server's own connect is asynchronous). */
async function until(check: (list: any[]) => boolean, what: string): Promise<any[]> {
  for (let i = 0; i < 300; i++) {
    const list = (await servers()).body.servers;
    if (check(list)) return list;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify((await servers()).body)}`);
}
const connected = (name: string, after = -1) => (list: any[]) => list.some((x) => x.name === name && x.status === 'connected' && x.toolCount === 4 && x.restarts > after);

/**
 * Chat as the admin. A call that needs approval parks the turn (`approval`, then `done { approval_pending }`); the
 * next message answers it — "ja" runs the call and the turn goes on in that stream, "nein" refuses it.
 */
async function chat(message: string, approve: boolean | null = true) {
  const first = await readSse(`${s.url}/api/chat`, { token: admin.token, body: { message } });
  const approvals: SseEvent[] = first.events.filter((e) => e.event === 'approval');
  let events = first.events;
  if (approvals.length && approve !== null) {
    const answer = await readSse(`${s.url}/api/chat`, { token: admin.token, body: { message: approve ? 'ja' : 'nein' } });
    events = [...first.events, ...answer.events];
  }
  const result = events.find((e) => e.event === 'tool_result');
  return { approvals, result: result?.data, events };
}

before(async () => {
  const dir = (await import('node:fs')).mkdtempSync(path.join((await import('node:os')).tmpdir(), 'aion-mcp-'));
  configFile = path.join(dir, 'servers.json');
  writeFileSync(configFile, JSON.stringify({ mcpServers: { boot: stdio({}, { trusted: true }) } }));
  s = await startServer({ env: { ...SECRETS, MCP_CONFIG: configFile } });
  admin = await s.signup();
  user = await s.signup();
  await s.api('POST', '/api/model', { token: admin.token, body: { model: 'echo-1' } });
});
after(() => s?.dispose());

test('a server from the MCP_CONFIG file connects at start and its tools are AION tools', async () => {
  const list = await until(connected('boot'), 'boot connected');
  const boot = list.find((x) => x.name === 'boot');
  assert.deepEqual(boot.tools.sort(), ['mcp__boot__add', 'mcp__boot__crash', 'mcp__boot__env', 'mcp__boot__fail']);
  assert.equal(boot.transport, 'stdio');
  assert.equal(boot.trusted, true);
  const { approvals, result } = await chat('/tool mcp__boot__add {"a":2,"b":40}');
  assert.equal(approvals.length, 0, 'a trusted server asks nothing');
  assert.equal(result.ok, true);
  assert.equal(result.result, '42');
  const schema = (await s.api('GET', '/api/plugins', { token: admin.token })).body;
  assert.ok(JSON.stringify(schema).includes('mcp__boot__add'));
});

test('an untrusted server added by the admin: approval asked, a clean environment without AION secrets', async () => {
  const added = await s.api('POST', '/api/mcp/servers', { token: admin.token, body: { name: 'x', ...stdio({ FOO: 'bar-value-123' }) } });
  assert.equal(added.status, 201, added.text);
  const list = await until(connected('x'), 'x connected');
  const x = list.find((e) => e.name === 'x');
  assert.equal(x.trusted, false);
  assert.deepEqual(x.envKeys, ['FOO']);
  assert.ok(!(await servers()).text.includes('bar-value-123'), 'env values are never shown');

  const denied = await chat('/tool mcp__x__env {}', false);
  assert.equal(denied.approvals.length, 1);
  assert.equal(denied.result.ok, false);
  const { approvals, result } = await chat('/tool mcp__x__env {}', true);
  assert.equal(approvals.length, 1, 'an untrusted server asks before every call');
  assert.match(approvals[0].data.message, /exec/);
  assert.equal(result.ok, true);
  const env = JSON.parse(result.result);
  assert.equal(env.FOO, 'bar-value-123');
  assert.ok(env.PATH);
  assert.deepEqual(Object.keys(env).sort(), ['FOO', 'PATH'], 'only PATH and the env given');
  const dump = JSON.stringify(env);
  for (const v of Object.values(SECRETS)) assert.ok(!dump.includes(v), 'no AION secret reaches the MCP server');

  const failed = await chat('/tool mcp__x__fail {}', true);
  assert.equal(failed.result.ok, false);
  assert.match(JSON.stringify(failed.result.result), /it broke on purpose/);
  const invalid = await chat('/tool mcp__x__add {"a":"two"}', null);
  assert.equal(invalid.result.ok, false, 'arguments are validated against the server schema before asking');
  assert.equal(invalid.approvals.length, 0);
});

test('changing a server (trusted) applies at once; the file keeps it with mode 600', async () => {
  const changed = await s.api('POST', '/api/mcp/servers', { token: admin.token, body: { name: 'x', ...stdio({ FOO: 'changed-value' }), trusted: true } });
  assert.equal(changed.status, 200, changed.text);
  await until((l) => l.some((e) => e.name === 'x' && e.trusted && e.status === 'connected' && e.toolCount === 4), 'x trusted');
  const { approvals, result } = await chat('/tool mcp__x__env {}');
  assert.equal(approvals.length, 0);
  assert.equal(JSON.parse(result.result).FOO, 'changed-value');
  const file = JSON.parse(readFileSync(configFile, 'utf8'));
  assert.equal(file.mcpServers.x.env.FOO, 'changed-value');
  assert.equal(file.mcpServers.x.trusted, true);
  assert.equal(statSync(configFile).mode & 0o777, 0o600);
});

test('a server that dies is shown failed, then restarted with backoff', async () => {
  const before = (await servers()).body.servers.find((e: any) => e.name === 'x').restarts;
  await chat('/tool mcp__x__crash {}');
  const down = await until((l) => l.some((e) => e.name === 'x' && e.status !== 'connected'), 'x down');
  assert.ok(['failed', 'restarting'].includes(down.find((e) => e.name === 'x').status));
  const list = await until(connected('x', before), 'x restarted');
  const x = list.find((e) => e.name === 'x');
  assert.ok(x.restarts >= before + 1);
  const { result } = await chat('/tool mcp__x__add {"a":1,"b":1}');
  assert.equal(result.result, '2', 'works again after the restart');
});

test('removing a server removes its tools at once; edits of the file by hand apply too', async () => {
  assert.equal((await s.api('DELETE', '/api/mcp/servers/x', { token: admin.token })).status, 200);
  assert.ok(!(await servers()).body.servers.some((e: any) => e.name === 'x'));
  const gone = await chat('/tool mcp__x__add {"a":1,"b":1}');
  assert.equal(gone.result.ok, false);
  assert.match(JSON.stringify(gone.result.result), /Unknown tool/);
  assert.equal((await s.api('DELETE', '/api/mcp/servers/x', { token: admin.token })).status, 404);

  const doc = JSON.parse(readFileSync(configFile, 'utf8'));
  doc.mcpServers.byhand = stdio();
  writeFileSync(configFile, JSON.stringify(doc));
  await until(connected('byhand'), 'byhand connected from the file');
  delete doc.mcpServers.byhand;
  writeFileSync(configFile, JSON.stringify(doc));
  await until((l) => !l.some((e) => e.name === 'byhand'), 'byhand removed');
});

test('admin only; bad input is a 400; a broken command is a failed server with its error', async () => {
  for (const [method, p] of [['GET', '/api/mcp/servers'], ['POST', '/api/mcp/servers'], ['DELETE', '/api/mcp/servers/boot']] as const) {
    const body = method === 'GET' ? undefined : { name: 'evil', command: 'sh' };
    assert.equal((await s.api(method, p, { token: user.token, body })).status, 403, `${method} ${p}`);
    assert.equal((await s.api(method, p, { body })).status, 401);
  }
  for (const body of [{ name: 'bad name!', command: 'x' }, { name: 'ok' }, { name: 'ok', url: 'ftp://example.com' }, { name: 'ok', command: 'x', url: 'http://a' }, { name: 'ok', command: 'x', env: { 'A=B': 'c' } }]) {
    const r = await s.api('POST', '/api/mcp/servers', { token: admin.token, body });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.ok(r.body.code);
  }
  await s.api('POST', '/api/mcp/servers', { token: admin.token, body: { name: 'broken', command: '/nonexistent/mcp-server', env: { TOKEN: 'hidden-token-value' } } });
  const list = await until((l) => l.some((e) => e.name === 'broken' && e.status === 'failed' && e.lastError), 'broken failed');
  assert.ok(!JSON.stringify(list).includes('hidden-token-value'));
  assert.equal((await s.api('DELETE', '/api/mcp/servers?name=broken', { token: admin.token })).status, 200);
});
