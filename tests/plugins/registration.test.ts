/** One registration check per built-in plugin: it loads, and registers what it promises. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, startServer, type TestServer } from '../helpers/server.ts';

const EXPECT: Record<string, { routes?: string[]; tools?: string[]; providers?: string[]; channels?: string[] }> = {
  'alin-auth': { routes: ['POST /api/auth/signup', 'POST /api/auth/login', 'GET /api/auth/me', 'PATCH /api/admin/users/:id'] },
  'aion-control': { routes: ['GET /api/health', 'GET /api/status', 'GET /api/plugins', 'POST /api/keys', 'POST /api/model', 'GET /api/memory'] },
  'aion-chat': { routes: ['POST /api/chat', 'POST /api/chat/approve', 'POST /api/stop', 'POST /api/reset'] },
  'alin-chat': { routes: ['POST /api/chat/stream', 'POST /api/chat/continue'] },
  'alin-conversations': { routes: ['GET /api/conversations', 'POST /api/messages', 'POST /api/conversations/:id/messages'] },
  'alin-tbwo': { routes: ['POST /api/tbwos', 'POST /api/tbwo/:id/receipts'] },
  'alin-memory': { routes: ['GET /api/memories', 'POST /api/memories', 'DELETE /api/memories/:id'], tools: ['memory_store', 'memory_recall'] },
  'alin-self-model': { routes: ['POST /api/self-model/outcomes', 'GET /api/self-model/tool-reliability', 'POST /api/self-model/layer-memory/prune'] },
  'alin-system': { routes: ['GET /api/system/metrics'] },
  'alin-files': { routes: ['POST /api/files/read', 'POST /api/files/write', 'POST /api/files/search'], tools: ['file_read', 'file_write', 'edit_file'] },
  'alin-code': { routes: ['POST /api/code/execute'], tools: ['execute_code', 'run_command'] },
  'provider-echo': { providers: ['echo'] },
  'provider-anthropic': { providers: ['anthropic'] },
  'provider-openai': { providers: ['openai'] },
  'provider-gemini': { providers: ['gemini'] },
  'provider-ollama': { providers: ['ollama'] },
  'provider-claude-cli': { providers: ['claude-cli'], routes: ['GET /api/claude-cli/status'] },
  telegram: { channels: ['telegram'], routes: ['GET /api/telegram/config', 'POST /api/telegram/config'] },
  alexa: { routes: ['POST /api/alexa'] },
  'google-oauth': { routes: ['GET /api/oauth/google/start', 'GET /api/oauth/google/callback'] },
  elevenlabs: { routes: ['POST /api/tts', 'GET /api/audio/:filename'], tools: ['speak'] },
  updater: { routes: ['GET /api/update-status', 'POST /api/update-trigger'] },
};

let s: TestServer;
let plugins: any[];
before(async () => {
  s = await startServer();
  const admin = (await s.signup()).token;
  plugins = (await s.api('GET', '/api/plugins', { token: admin })).body.plugins;
});
after(() => s.dispose());

test('every folder in plugins/ is a listed, loaded built-in plugin without an error', () => {
  const folders = readdirSync(path.join(ROOT, 'plugins'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  assert.deepEqual(plugins.map((p) => p.name).sort(), folders);
  for (const p of plugins) {
    assert.equal(p.status, 'loaded', `${p.name}: ${p.error ?? ''}`);
    assert.equal(p.builtin, true, p.name);
    assert.match(p.version, /^\d+\.\d+\.\d+/, p.name);
  }
});

for (const [name, expect] of Object.entries(EXPECT)) {
  test(`${name} registers what it promises`, () => {
    const p = plugins.find((x) => x.name === name);
    assert.ok(p, `${name} is listed`);
    for (const r of expect.routes ?? []) assert.ok(p.routes.includes(r), `${name}: route ${r}`);
    for (const t of expect.tools ?? []) assert.ok(p.tools.some((x: any) => x.name === t), `${name}: tool ${t}`);
    for (const id of expect.providers ?? []) assert.ok(p.providers.includes(id), `${name}: provider ${id}`);
    for (const id of expect.channels ?? []) assert.ok(p.channels.includes(id), `${name}: channel ${id}`);
  });
}
