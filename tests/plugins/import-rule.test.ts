/**
 * #11 item 9: the import rule, enforced at bundle time. A plugin that imports core internals (the config, the store)
 * or any file outside its own folder is refused with a message that names the import; its own files, npm packages
 * and the plugin API (`aion/plugin-api`, or `core/plugin-api` by path) resolve.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, startServer, type TestServer } from '../helpers/server.ts';
import { pluginsDir, writePlugin } from '../helpers/plugins.ts';

const dir = pluginsDir();
const marker = path.join(dir, 'core-import-ran');
let s: TestServer;
let admin: string;

before(async () => {
  const abs = (p: string) => JSON.stringify(path.join(ROOT, p));
  writePlugin(dir, 'reads-config', `import { loadConfig } from ${abs('core/config.ts')};
    import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, 'x');
    export default { name: 'reads-config', version: '1', setup(ctx) { ctx.routes.get('/leak', { access: 'public' }, () => loadConfig()); } };`);
  writePlugin(dir, 'opens-store', `import { Store } from ${abs('core/store/store.ts')};
    export default { name: 'opens-store', version: '1', setup() { new Store('/tmp'); } };`);
  writePlugin(dir, 'climbs-out', `import secret from '../neighbour/index.js';
    export default { name: 'climbs-out', version: '1', setup() { secret; } };`);
  writePlugin(dir, 'well-behaved', `import { definePlugin, PLUGIN_API_VERSION } from 'aion/plugin-api';
    import { z } from 'zod';
    import { greet } from './lib/greet.js';
    export default definePlugin({ name: 'well-behaved', version: '1', setup(ctx) {
      ctx.routes.get('/well-behaved', { access: 'public' }, () => ({ greeting: greet(z.string().parse('you')), api: PLUGIN_API_VERSION }));
    } });`);
  writePlugin(dir, 'symlinked', `import { loadConfig } from './lib/config.ts';
    export default { name: 'symlinked', version: '1', setup() { loadConfig; } };`);
  symlinkSync(path.join(ROOT, 'core'), path.join(dir, 'symlinked', 'lib'));
  mkdirSync(path.join(dir, 'well-behaved', 'lib'));
  writeFileSync(path.join(dir, 'well-behaved', 'lib', 'greet.js'), `export const greet = (who) => 'hello ' + who;`);
  s = await startServer({ env: { PLUGINS_DIRS: dir } });
  admin = (await s.signup()).token;
});
after(() => s.dispose());

test('imports of core internals and of files outside the plugin folder are refused, naming the import', async () => {
  const plugins = (await s.api('GET', '/api/plugins', { token: admin })).body.plugins;
  const error = (name: string) => plugins.find((p: any) => p.name === name).error as string;
  assert.match(error('reads-config'), /import ".*core\/config\.ts" \(core\/config\.ts\) is not allowed: a plugin may import only core\/plugin-api, npm packages and its own files/);
  assert.match(error('opens-store'), /\(core\/store\/store\.ts\) is not allowed/);
  assert.match(error('climbs-out'), /import "\.\.\/neighbour\/index\.js" \(a file outside the plugin folder\) is not allowed/);
  assert.match(error('symlinked'), /\(core\/config\.ts\) is not allowed[^]*from '\.\/lib\/config\.ts'/, 'a symlink out of the folder is followed and refused');
  for (const name of ['reads-config', 'opens-store', 'climbs-out', 'symlinked']) assert.equal(plugins.find((p: any) => p.name === name).status, 'error');
  assert.equal((await s.api('GET', '/api/leak')).status, 404);
  assert.equal(existsSync(marker), false, 'the refused plugin never ran');
});

test('its own files, npm packages and aion/plugin-api resolve', async () => {
  assert.deepEqual((await s.api('GET', '/api/well-behaved')).body, { greeting: 'hello you', api: '1.0.0' });
});
