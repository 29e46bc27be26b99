/**
 * A heavy dependency loaded on first use that is not installed: the server still starts, and the feature that needs it
 * answers a coded JSON error (web_fetch 503 WEB_PARSER_UNAVAILABLE, /mcp 503 MCP_SDK_UNAVAILABLE, an MCP server's
 * status `failed` with the reason, uploads 503 FILE_PROCESSING_UNAVAILABLE / UPLOADS_UNAVAILABLE without koa-body)
 * instead of crashing; everything else — JSON bodies included — keeps working.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, startServer, type TestServer } from '../helpers/server.ts';
import { pluginSettings } from './helpers.ts';
import { startWebStandIn, type StandIn } from './web-stand-ins.ts';

let s: TestServer;
let web: StandIn;
let admin: { token: string };

before(async () => {
  web = await startWebStandIn();
  s = await startServer({
    env: {
      NODE_OPTIONS: `--import=${path.join(ROOT, 'tests/plugin-set/deny-packages.mjs')}`,
      AION_DENY_PACKAGES: 'linkedom,@modelcontextprotocol/sdk,koa-body',
    },
  });
  admin = await s.signup();
});
after(async () => {
  await s?.dispose();
  await web?.close();
});

test('web_fetch without its HTML parser: 503 WEB_PARSER_UNAVAILABLE, plain text pages still read', async () => {
  await pluginSettings(s, admin.token, 'web-tools', { web_allow_private_hosts: ['localhost'] });
  const page = await s.api('POST', '/api/web/fetch', { token: admin.token, body: { url: `http://localhost:${web.port}/article` } });
  assert.equal(page.status, 503, page.text);
  assert.equal(page.body.code, 'WEB_PARSER_UNAVAILABLE');
  assert.match(page.body.error, /HTML parser could not be loaded/);
  assert.doesNotMatch(page.text, /node_modules|\/work\/|at .*:\d+:\d+/, 'no paths or stacks');
  const plain = await s.api('POST', '/api/web/fetch', { token: admin.token, body: { url: `http://localhost:${web.port}/plain` } });
  assert.equal(plain.status, 200, plain.text);
  assert.equal(plain.body.content, 'just text');
});

test('/mcp without the MCP SDK: 503 MCP_SDK_UNAVAILABLE as JSON, every time (not cached as a crash)', async () => {
  for (let i = 0; i < 2; i++) {
    const r = await s.api('POST', '/mcp', {
      token: admin.token,
      headers: { accept: 'application/json, text/event-stream' },
      body: { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } },
    });
    assert.equal(r.status, 503, r.text);
    assert.equal(r.body.code, 'MCP_SDK_UNAVAILABLE');
  }
  assert.equal((await s.api('GET', '/api/health')).status, 200);
});

test('an MCP server configured without the SDK shows failed with the reason', async () => {
  const added = await s.api('POST', '/api/mcp/servers', { token: admin.token, body: { name: 'x', command: process.execPath, args: ['-e', '0'] } });
  assert.equal(added.status, 201, added.text);
  let server: any;
  for (let i = 0; i < 200 && server?.status !== 'failed'; i++) {
    await new Promise((r) => setTimeout(r, 25));
    server = (await s.api('GET', '/api/mcp/servers', { token: admin.token })).body.servers.find((e: any) => e.name === 'x');
  }
  assert.equal(server?.status, 'failed', JSON.stringify(server));
  assert.match(server.lastError, /MCP SDK could not be loaded/);
  assert.equal((await s.api('DELETE', '/api/mcp/servers/x', { token: admin.token })).status, 200);
});

test('uploads without koa-body: coded 503s, every time; JSON bodies still parse', async () => {
  const upload = async (route: string, field: string, name: string) => {
    const form = new FormData();
    form.append(field, new Blob(['some text']), name);
    const res = await fetch(`${s.url}${route}`, { method: 'POST', body: form, headers: { authorization: `Bearer ${admin.token}` } });
    return { status: res.status, text: await res.text() };
  };
  for (let i = 0; i < 2; i++) {
    for (const [route, field, code] of [['/api/process_file', 'file', 'FILE_PROCESSING_UNAVAILABLE'], ['/api/workspace/upload', 'files', 'UPLOADS_UNAVAILABLE']]) {
      const r = await upload(route, field, 'a.txt');
      assert.equal(r.status, 503, r.text);
      assert.equal(JSON.parse(r.text).code, code);
      assert.match(JSON.parse(r.text).error, /could not be loaded/);
      assert.doesNotMatch(r.text, /node_modules|\/work\/|at .*:\d+:\d+/, 'no paths or stacks');
    }
  }
  const json = await s.api('POST', '/api/auth/login', { body: { email: 'nobody@example.com', password: 'whatever it is' } });
  assert.equal(json.status, 401, json.text);
});
