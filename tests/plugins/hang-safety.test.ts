/**
 * #11 item 5: a plugin never stops the host from starting. A setup that never resolves fails after the setup timeout;
 * a synchronous loop in an untrusted plugin's top-level code or setup is caught in the probe worker and never runs in
 * the host's thread; the rest of the plugins start and serve.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { pluginsDir, writePlugin } from '../helpers/plugins.ts';

const dir = pluginsDir();
const marker = path.join(dir, 'loop-ran-in-host');
let s: TestServer;
let admin: string;

before(async () => {
  writePlugin(dir, 'never-resolves', `export default { name: 'never-resolves', version: '1', setup() { return new Promise(() => {}); } };`);
  writePlugin(dir, 'spins-in-setup', `export default { name: 'spins-in-setup', version: '1', setup() { for (;;) {} } };`);
  writePlugin(dir, 'spins-at-top', `for (;;) {}\nexport default { name: 'spins-at-top', version: '1', setup() {} };`);
  writePlugin(dir, 'spins-right-after', `import { writeFileSync } from 'node:fs';
    import { isMainThread } from 'node:worker_threads';
    export default { name: 'spins-right-after', version: '1', setup() {
      setTimeout(() => { if (isMainThread) writeFileSync(${JSON.stringify(marker)}, 'x'); for (;;) {} }, 0);
    } };`);
  writePlugin(dir, 'fine', `export default { name: 'fine', version: '1', setup(ctx) { ctx.routes.get('/fine', { access: 'public' }, () => ({ ok: true })); } };`);
  s = await startServer({ env: { PLUGINS_DIRS: dir, PLUGINS_SETUP_TIMEOUT_MS: '1500' } });
  admin = (await s.signup()).token;
});
after(() => s.dispose());

test('the server starts and serves the healthy plugins and the built-ins', async () => {
  assert.deepEqual((await s.api('GET', '/api/fine')).body, { ok: true });
  assert.equal((await s.api('GET', '/api/health')).status, 200);
  const plugins = (await s.api('GET', '/api/plugins', { token: admin })).body.plugins;
  assert.deepEqual(plugins.filter((p: any) => p.builtin && p.status !== 'loaded').map((p: any) => p.name), []);
});

test('a setup that never resolves is marked error after the setup timeout', async () => {
  const p = (await s.api('GET', '/api/plugins', { token: admin })).body.plugins.find((x: any) => x.name === 'never-resolves');
  assert.equal(p.status, 'error');
  assert.match(p.error, /setup did not finish within 1500 ms/);
});

test('a loop in setup, at the top level or in a timer started by setup is refused without running in the host', async () => {
  const plugins = (await s.api('GET', '/api/plugins', { token: admin })).body.plugins;
  for (const name of ['spins-in-setup', 'spins-at-top', 'spins-right-after']) {
    const p = plugins.find((x: any) => x.name === name);
    assert.equal(p.status, 'error', name);
    assert.match(p.error, /did not give the thread back within 1500 ms/, name);
  }
  assert.equal(existsSync(marker), false, 'the looping code never ran in the host thread');
});

test('reloading a looping plugin does not freeze the host either', async () => {
  const r = await s.api('POST', '/api/plugins/reload', { token: admin, body: { name: 'spins-in-setup' } });
  assert.equal(r.body.plugins[0].status, 'error');
  assert.deepEqual((await s.api('GET', '/api/fine')).body, { ok: true });
});
