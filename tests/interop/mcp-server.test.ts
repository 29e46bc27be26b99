/**
 * The MCP server at /mcp driven by the official SDK client (`Client` + `StreamableHTTPClientTransport`): tools listed
 * and called under the caller's identity and workspace, approvals through elicitation, 401 without a token, no
 * crossing into another user's workspace or session.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { startServer, type TestServer } from '../helpers/server.ts';
import { TEST_TOOLS_MANIFEST, TEST_TOOLS_PLUGIN, pluginsDir, writePlugin } from '../helpers/plugins.ts';

let s: TestServer;
let alice: { token: string; user: { id: string } };
let bob: { token: string; user: { id: string } };
const open: Client[] = [];

before(async () => {
  const dir = pluginsDir();
  writePlugin(dir, 'test-tools', TEST_TOOLS_PLUGIN, TEST_TOOLS_MANIFEST);
  s = await startServer({ env: { PLUGINS_DIRS: dir } });
  alice = await s.signup();
  bob = await s.signup();
});
after(async () => {
  for (const c of open) await c.close().catch(() => {});
  await s?.dispose();
});

async function connect(token: string, opts: { elicit?: (message: string) => { action: 'accept' | 'decline'; content?: Record<string, unknown> } } = {}) {
  const client = new Client({ name: 'test-client', version: '1.0.0' }, { capabilities: opts.elicit ? { elicitation: {} } : {} });
  if (opts.elicit) client.setRequestHandler(ElicitRequestSchema, async (req) => opts.elicit!(String(req.params.message)) as any);
  const transport = new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  await client.connect(transport);
  open.push(client);
  return { client, transport };
}

const text = (r: any) => r.content.map((c: any) => c.text).join('');

test('lists the AION tools with JSON Schemas; tools needing approval are hidden from a client without elicitation', async () => {
  const { client } = await connect(alice.token);
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  for (const n of ['file_read', 'file_write', 'file_list', 'memory_store', 'memory_recall', 'lookup']) assert.ok(names.includes(n), n);
  for (const n of ['danger', 'execute_code', 'run_command']) assert.ok(!names.includes(n), `${n} needs approval and cannot be asked`);
  const write = tools.find((t) => t.name === 'file_write')!;
  assert.equal(write.inputSchema.type, 'object');
  assert.ok(write.inputSchema.properties && 'content' in write.inputSchema.properties);
  const hidden = await client.callTool({ name: 'danger', arguments: {} });
  assert.equal(hidden.isError, true);
  assert.match(text(hidden), /Unknown tool/);
});

test("file tools run in the caller's workspace; another user sees only their own", async () => {
  const a = (await connect(alice.token)).client;
  const b = (await connect(bob.token)).client;
  const w = await a.callTool({ name: 'file_write', arguments: { path: 'secret.txt', content: 'alice only' } });
  assert.ok(!w.isError, text(w));
  const r = await a.callTool({ name: 'file_read', arguments: { path: 'secret.txt' } });
  assert.match(text(r), /alice only/);
  const other = await b.callTool({ name: 'file_read', arguments: { path: 'secret.txt' } });
  assert.equal(other.isError, true);
  assert.ok(!text(other).includes('alice only'));
  const escape = await b.callTool({ name: 'file_read', arguments: { path: `../${alice.user.id}/secret.txt` } });
  assert.equal(escape.isError, true);
  const list = await b.callTool({ name: 'file_list', arguments: {} });
  assert.ok(!text(list).includes('secret.txt'));
  // The same over the HTTP API: the file is Alice's.
  assert.equal((await s.api('POST', '/api/files/read', { token: alice.token, body: { filePath: 'secret.txt' } })).body.content, 'alice only');
  const bad = await a.callTool({ name: 'file_write', arguments: { nope: 1 } });
  assert.equal(bad.isError, true);
  assert.match(text(bad), /Invalid arguments/);
});

test('a tool that needs approval asks through elicitation: accepted runs, declined does not', async () => {
  const questions: string[] = [];
  let answer: 'accept' | 'decline' = 'accept';
  const { client } = await connect(alice.token, { elicit: (m) => (questions.push(m), answer === 'accept' ? { action: 'accept', content: { approve: true } } : { action: 'decline' }) });
  const names = (await client.listTools()).tools.map((t) => t.name);
  assert.ok(names.includes('danger'));
  const ok = await client.callTool({ name: 'danger', arguments: {} });
  assert.ok(!ok.isError, text(ok));
  assert.match(text(ok), /"done":true/);
  assert.equal(questions.length, 1);
  assert.match(questions[0], /danger/);
  answer = 'decline';
  const no = await client.callTool({ name: 'danger', arguments: {} });
  assert.equal(no.isError, true);
  assert.match(text(no), /did not approve/);
  const plain = await client.callTool({ name: 'lookup', arguments: { q: 'x' } });
  assert.match(text(plain), /"answer":42/);
  assert.equal(questions.length, 2, 'a tool without approval asks nothing');
});

test('401 JSON without or with a bad token; a session is usable by its owner only', async () => {
  const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } };
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const none = await fetch(`${s.url}/mcp`, { method: 'POST', headers, body: JSON.stringify(init) });
  assert.equal(none.status, 401);
  assert.equal((await none.json()).code, 'UNAUTHORIZED');
  const bad = await fetch(`${s.url}/mcp`, { method: 'POST', headers: { ...headers, authorization: 'Bearer nope' }, body: JSON.stringify(init) });
  assert.equal(bad.status, 401);
  assert.equal((await fetch(`${s.url}/mcp`)).status, 401);
  await assert.rejects(connect('not-a-token'));
  const { transport } = await connect(alice.token);
  const sessionId = transport.sessionId!;
  assert.ok(sessionId);
  const hijack = await fetch(`${s.url}/mcp`, {
    method: 'POST',
    headers: { ...headers, authorization: `Bearer ${bob.token}`, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'file_read', arguments: { path: 'secret.txt' } } }),
  });
  assert.equal(hijack.status, 404);
  assert.ok(!(await hijack.text()).includes('alice only'));
  const noSession = await fetch(`${s.url}/mcp`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${alice.token}` }, body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }) });
  assert.equal(noSession.status, 400);
  await transport.terminateSession();
  const gone = await fetch(`${s.url}/mcp`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${alice.token}`, 'mcp-session-id': sessionId }, body: JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/list' }) });
  assert.equal(gone.status, 404);
});
