/**
 * #12 item 7: the walk-through of `plugins/README.md`, step by step. The plugin files are taken from the README's code
 * blocks (those titled `weather/...`), so the README and this test cannot drift apart.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { readSse, ROOT, startServer, type TestServer } from '../helpers/server.ts';
import { pluginsDir } from '../helpers/plugins.ts';

const readme = readFileSync(path.join(ROOT, 'plugins/README.md'), 'utf8');
const files = new Map([...readme.matchAll(/```\w+ title=(weather\/[^\s]+)\n([\s\S]*?)```/g)].map((m) => [m[1], m[2]]));
const dir = pluginsDir();
const folder = path.join(dir, 'weather');
let s: TestServer;
let admin: string;

async function eventually(what: string, probe: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`not seen: ${what}`);
}

before(async () => {
  assert.deepEqual([...files.keys()].sort(), ['weather/index.ts', 'weather/plugin.json', 'weather/tsconfig.json']);
  s = await startServer({ env: { PLUGINS_DIRS: dir, PLUGINS_WATCH: '1' } });
  admin = (await s.signup()).token;
});
after(() => s.dispose());

test('steps 1–3: a folder with plugin.json and index.ts dropped into PLUGINS_DIRS is live: route, tool, setting', async () => {
  mkdirSync(path.join(folder, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, path.join(folder, 'node_modules', 'aion')); // what `npm install aion@file:<checkout>` makes
  symlinkSync(path.join(ROOT, 'node_modules', 'zod'), path.join(folder, 'node_modules', 'zod')); // `npm install zod@4`
  for (const [name, text] of files) writeFileSync(path.join(dir, name), text);
  const now = () => s.api('GET', '/api/weather/now?city=Bergen', { token: admin });
  await eventually('the weather route answers', async () => (await now()).status === 200);
  assert.deepEqual((await now()).body, { city: 'Bergen', temperature: 21, unit: 'C', keyConfigured: false });
  assert.equal((await s.api('GET', '/api/weather/now')).status, 401, 'a signed-in route');

  const chat = await readSse(`${s.url}/api/chat`, { token: admin, body: { message: '/tool weather_now {"city":"Bergen"}', provider: 'echo', model: 'echo-1' } });
  const result = chat.events.find((e) => e.event === 'tool_result');
  assert.equal(result?.data.ok, true, JSON.stringify(result?.data));
  assert.match(JSON.stringify(result!.data.result), /temperature\\?":21/);

  const set = await s.api('POST', '/api/config/settings', { token: admin, body: { weather: { units: 'imperial' } } });
  assert.equal(set.status, 200, set.text);
  assert.deepEqual((await now()).body, { city: 'Bergen', temperature: 70, unit: 'F', keyConfigured: false });
  const bad = await s.api('POST', '/api/config/settings', { token: admin, body: { weather: { units: 'kelvin' } } });
  assert.equal(bad.status, 400);

  const listed = (await s.api('GET', '/api/plugins', { token: admin })).body.plugins.find((p: any) => p.name === 'weather');
  assert.deepEqual(listed.tools.map((t: any) => t.name), ['weather_now']);
  assert.deepEqual(listed.capabilities.secrets, ['WEATHER_API_KEY']);
  assert.doesNotMatch(s.output, /"provides" does not match/);
});

test('step 4: a broken save keeps the old version serving and reports file, line, column and the line', async () => {
  const good = files.get('weather/index.ts')!;
  const broken = good.replace("run: ({ city }) => reading(city, ctx.settings.get().units),", 'run: ({ city }) => reading(city {');
  assert.notEqual(broken, good);
  writeFileSync(path.join(folder, 'index.ts'), broken);
  const line = broken.split('\n').findIndex((l) => l.includes('reading(city {')) + 1;
  let error = '';
  await eventually('the build error is listed', async () => {
    const p = (await s.api('GET', '/api/plugins', { token: admin })).body.plugins.find((x: any) => x.name === 'weather');
    error = p.error ?? '';
    return p.status === 'error';
  });
  assert.match(error, new RegExp(`^build failed: index\\.ts:${line}:\\d+: `));
  assert.match(error, /\| +run: \(\{ city \}\) => reading\(city \{\n +\| +\^/);
  assert.match(s.output, /build failed: index\.ts:/, 'and in the log');
  assert.equal((await s.api('GET', '/api/weather/now', { token: admin })).body.temperature, 70, 'the old generation serves');
  writeFileSync(path.join(folder, 'index.ts'), good);
  await eventually('fixed and loaded', async () => {
    const p = (await s.api('GET', '/api/plugins', { token: admin })).body.plugins.find((x: any) => x.name === 'weather');
    return p.status === 'loaded';
  });
});

test('step 5: aion/plugin-api types resolve for a plugin outside plugins/ through the package exports', () => {
  // One compiler run: index.ts must check cleanly, and a deliberate mistake in wrong.ts must be caught — proof that
  // the types are real, not `any`.
  writeFileSync(path.join(folder, 'wrong.ts'), `import type { PluginContext } from 'aion/plugin-api';\nexport const n = (ctx: PluginContext): number => ctx.name;\n`);
  let out = '';
  try {
    execFileSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', folder], { encoding: 'utf8', stdio: 'pipe' });
  } catch (error: any) {
    out = String(error.stdout);
  }
  const diagnostics = out.split('\n').filter((l) => /error TS/.test(l));
  assert.equal(diagnostics.length, 1, out);
  assert.match(diagnostics[0], /wrong\.ts\(2,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/);
});
