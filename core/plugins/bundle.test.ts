import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT_DIR } from '../config.ts';
import { bundlePlugin, importRefusal, PluginBuildError } from './bundle.ts';

test('only the plugin folder itself is importable by path; the refusal names the import', () => {
  assert.equal(importRefusal('./lib.js', '/plugins/a/lib.js', '/plugins/a'), undefined);
  assert.equal(importRefusal('./sub/x.js', '/plugins/a/sub/x.js', '/plugins/a'), undefined);
  assert.match(importRefusal('../b/index.js', '/plugins/b/index.js', '/plugins/a')!, /import "\.\.\/b\/index\.js" .* is not allowed/);
  const core = importRefusal('../../core/config.ts', path.join(ROOT_DIR, 'core/config.ts'), path.join(ROOT_DIR, 'plugins/a'));
  assert.match(core!, /import "\.\.\/\.\.\/core\/config\.ts" \(core\/config\.ts\) is not allowed/);
});

test('a build error carries file, line, column and the line with a caret', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'aion-bundle-'));
  mkdirSync(path.join(dir, 'p'));
  writeFileSync(path.join(dir, 'p', 'index.js'), 'export default {\n  name: "p",\n  setup() { return 1 +; },\n};\n');
  const error = await bundlePlugin('p', path.join(dir, 'p', 'index.js'), path.join(dir, 'cache'), []).catch((e) => e);
  assert.ok(error instanceof PluginBuildError);
  assert.equal(error.location!.file, 'index.js');
  assert.equal(error.location!.line, 3);
  assert.ok(error.location!.column > 1);
  assert.match(error.message, /^build failed: index\.js:3:\d+: /);
  assert.match(error.message, /\n  3 \|   setup\(\) \{ return 1 \+; \},\n {4}\| +\^/);
});

test('a core import is refused at bundle time, by absolute path too', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'aion-bundle-'));
  mkdirSync(path.join(dir, 'p'));
  writeFileSync(path.join(dir, 'p', 'index.js'), `import { loadConfig } from '${path.join(ROOT_DIR, 'core/config.ts')}';\nexport default { setup() { loadConfig; } };\n`);
  await assert.rejects(bundlePlugin('p', path.join(dir, 'p', 'index.js'), path.join(dir, 'cache'), []), /core\/config\.ts\) is not allowed/);
});
