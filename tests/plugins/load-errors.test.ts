/**
 * #12 item 7: every way a plugin can fail to load is reported with the file, line and column in the plugin's own
 * sources and the line quoted with a caret — a throw at import time, in `setup` (also after an await), a `plugin.json`
 * that is not JSON or breaks the schema — in `GET /api/plugins` (`error`, `errorLocation`). Build errors are covered by
 * authoring.test.ts and import-rule.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { pluginsDir } from '../helpers/plugins.ts';

const dir = pluginsDir();
let s: TestServer;
let plugins: Map<string, { status: string; error?: string; errorLocation?: { file: string; line: number; column: number; lineText: string } }>;

/** Writes `name/index.ts` (and `name/plugin.json`, raw text) into the plugins folder. */
function write(name: string, index: string, manifest = JSON.stringify({ name, version: '1.0.0', api: '^1.0.0' })) {
  mkdirSync(path.join(dir, name), { recursive: true });
  writeFileSync(path.join(dir, name, 'index.ts'), index);
  writeFileSync(path.join(dir, name, 'plugin.json'), manifest);
}

before(async () => {
  write('throws-at-import', `const config: any = null;\nconst port = config.port;\nexport default { name: 'throws-at-import', version: '1', setup() { void port; } };\n`);
  write('throws-in-setup', [
    `import { definePlugin } from 'aion/plugin-api';`,
    `import { helper } from './helper.ts';`,
    `export default definePlugin({`,
    `  name: 'throws-in-setup',`,
    `  version: '1.0.0',`,
    `  setup(ctx) {`,
    `    ctx.log.info('starting');`,
    `    helper(undefined);`,
    `  },`,
    `});`,
  ].join('\n'));
  // The throw is in a second file of the plugin: the location names that file.
  writeFileSync(path.join(dir, 'throws-in-setup', 'helper.ts'), `export function helper(options: any) {\n  return options.retries + 1;\n}\n`);
  write('throws-after-await', `export default { name: 'throws-after-await', version: '1', async setup() {\n  await new Promise((r) => setTimeout(r, 5));\n  throw new Error('no database');\n} };\n`);
  write('manifest-not-json', `export default { name: 'manifest-not-json', version: '1', setup() {} };\n`, `{\n  "name": "manifest-not-json",\n  "version": "1.0.0",\n}\n`);
  write('manifest-bad-field', `export default { name: 'manifest-bad-field', version: '1', setup() {} };\n`, `{\n  "name": "manifest-bad-field",\n  "api": "^1.0.0",\n  "capabilities": {\n    "secrets": "ALL"\n  }\n}\n`);
  s = await startServer({ env: { PLUGINS_DIRS: dir } });
  const admin = (await s.signup()).token;
  const list = (await s.api('GET', '/api/plugins', { token: admin })).body.plugins as Array<{ name: string; status: string }>;
  plugins = new Map(list.map((p) => [p.name, p as any]));
});
after(() => s.dispose());

/**
 * The error's first line names `where` (`prefix file:line:column: text`, or for plugin.json `prefix text
 * (plugin.json:line:column)`), and the next two lines quote `lineText` with a caret under `column`.
 */
function assertLocated(name: string, prefix: string, where: { file: string; line: number; column: number; lineText: string }, text: RegExp) {
  const p = plugins.get(name)!;
  assert.equal(p.status, 'error', name);
  const [first, quoted, caret] = p.error!.split('\n');
  const at = `${where.file}:${where.line}:${where.column}`;
  assert.ok(first.startsWith(prefix), p.error);
  if (where.file === 'plugin.json') assert.ok(first.endsWith(` (${at})`), p.error);
  else assert.ok(first.startsWith(`${prefix}${at}: `), p.error);
  assert.match(first, text);
  assert.equal(quoted, `  ${where.line} | ${where.lineText}`);
  assert.equal(caret, `  ${' '.repeat(String(where.line).length)} | ${' '.repeat(where.column - 1)}^`);
  if (where.file !== 'plugin.json') assert.deepEqual(p.errorLocation, where);
  assert.ok(s.output.includes(at), 'and in the log');
}

test('a throw in top-level code names the line of the plugin source, not of the bundle', () => {
  assertLocated('throws-at-import', 'import failed: ', { file: 'index.ts', line: 2, column: 21, lineText: 'const port = config.port;' }, /Cannot read properties of null/);
});

test('a throw in setup, in another file of the plugin, names that file', () => {
  assertLocated('throws-in-setup', 'setup failed: ', { file: 'helper.ts', line: 2, column: 18, lineText: '  return options.retries + 1;' }, /Cannot read properties of undefined/);
});

test('a throw in setup after an await is located too', () => {
  assertLocated('throws-after-await', 'setup failed: ', { file: 'index.ts', line: 3, column: 9, lineText: "  throw new Error('no database');" }, /no database/);
});

test('plugin.json that is not JSON: the offending character', () => {
  assertLocated('manifest-not-json', 'invalid plugin.json: ', { file: 'plugin.json', line: 4, column: 1, lineText: '}' }, /property name/);
});

test('plugin.json that breaks the schema: the field, at its line', () => {
  assertLocated('manifest-bad-field', 'invalid plugin.json: ', { file: 'plugin.json', line: 5, column: 16, lineText: '    "secrets": "ALL"' }, /^invalid plugin\.json: capabilities\.secrets: /);
});

test('none of them took the host down', async () => {
  assert.equal((await s.api('GET', '/api/health')).status, 200);
});
