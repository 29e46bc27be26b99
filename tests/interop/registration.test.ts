/** The interop plugins load and register their routes; root-mounted routes appear at their real paths. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';

const EXPECT: Record<string, string[]> = {
  'openai-compat': ['GET /v1/models', 'POST /v1/chat/completions'],
  'mcp-server': ['POST /mcp', 'GET /mcp', 'DELETE /mcp'],
  'mcp-client': ['GET /api/mcp/servers', 'POST /api/mcp/servers', 'DELETE /api/mcp/servers/:name'],
};

let s: TestServer;
let admin: string;
before(async () => {
  s = await startServer();
  admin = (await s.signup()).token;
});
after(() => s?.dispose());

test('each interop plugin is loaded with its routes', async () => {
  const plugins = (await s.api('GET', '/api/plugins', { token: admin })).body.plugins;
  for (const [name, routes] of Object.entries(EXPECT)) {
    const p = plugins.find((x: any) => x.name === name);
    assert.equal(p?.status, 'loaded', `${name}: ${p?.error ?? 'missing'}`);
    for (const r of routes) assert.ok(p.routes.includes(r), `${name}: ${r}`);
  }
});

test('the OpenAPI document lists root routes at their real paths, not under /api', async () => {
  const doc = (await s.api('GET', '/api/openapi.json')).body;
  assert.ok(doc.paths['/v1/chat/completions']?.post);
  assert.ok(doc.paths['/mcp']?.post && doc.paths['/mcp']?.get);
  assert.ok(doc.paths['/api/mcp/servers']?.get);
  assert.ok(!Object.keys(doc.paths).some((p) => p.startsWith('/api/v1') || p === '/api/mcp'));
});
