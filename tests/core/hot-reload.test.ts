import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { pluginsDir, writePlugin } from '../helpers/plugins.ts';

const dir = pluginsDir();
const hello = (v: string) => `
export default {
  name: 'hello', version: '${v}',
  setup(ctx) {
    ctx.routes.get('/hello', { access: 'public' }, () => ({ version: '${v}' }));
    ctx.routes.get('/hello/private', () => ({ secret: true }));
  },
};`;

let s: TestServer;
let admin: string;
before(async () => {
  writePlugin(dir, 'hello', hello('1'));
  s = await startServer({ env: { PLUGINS_DIRS: dir } });
  admin = (await s.signup()).token;
});
after(() => s.dispose());

test('a plain index.js plugin from PLUGINS_DIRS is loaded and its routes answer; private ones need a token', async () => {
  const r = await s.api('GET', '/api/hello');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { version: '1' });
  assert.equal((await s.api('GET', '/api/hello/private')).status, 401);
  assert.equal((await s.api('GET', '/api/hello/private', { token: admin })).status, 200);
  const list = await s.api('GET', '/api/plugins', { token: admin });
  const p = list.body.plugins.find((x: any) => x.name === 'hello');
  assert.equal(p.status, 'loaded');
  assert.deepEqual(p.routes, ['GET /api/hello', 'GET /api/hello/private']);
  assert.equal(typeof p.loadMs, 'number');
});

test('changing the plugin and reloading serves the new generation', async () => {
  writePlugin(dir, 'hello', hello('2'));
  const r = await s.api('POST', '/api/plugins/reload', { token: admin, body: { name: 'hello' } });
  assert.equal(r.status, 200);
  assert.equal(r.body.ok, true);
  assert.deepEqual((await s.api('GET', '/api/hello')).body, { version: '2' });
});

test('a setup that throws keeps the old generation serving and lists the error', async () => {
  writePlugin(dir, 'hello', `export default { name: 'hello', version: '3', setup() { throw new Error('setup exploded'); } };`);
  const r = await s.api('POST', '/api/plugins/reload', { token: admin, body: { name: 'hello' } });
  assert.equal(r.body.ok, false);
  assert.equal(r.body.plugins[0].status, 'error');
  assert.match(r.body.plugins[0].error, /setup exploded/);
  assert.deepEqual((await s.api('GET', '/api/hello')).body, { version: '2' }, 'old generation still serves');
  writePlugin(dir, 'hello', `export default { name: 'hello', version: '3', setup( { syntax error`);
  const broken = await s.api('POST', '/api/plugins/reload', { token: admin, body: { name: 'hello' } });
  assert.equal(broken.body.plugins[0].status, 'error');
  assert.match(broken.body.plugins[0].error, /build failed/);
  assert.deepEqual((await s.api('GET', '/api/hello')).body, { version: '2' });
  writePlugin(dir, 'hello', hello('4'));
  await s.api('POST', '/api/plugins/reload', { token: admin, body: { name: 'hello' } });
  assert.deepEqual((await s.api('GET', '/api/hello')).body, { version: '4' });
});

test('disable removes the routes (404 PLUGIN_DISABLED), survives a restart, enable restores them', async () => {
  const d = await s.api('POST', '/api/plugins/disable', { token: admin, body: { name: 'hello' } });
  assert.deepEqual({ ok: d.body.ok, disabled: d.body.disabled }, { ok: true, disabled: 'hello' });
  const gone = await s.api('GET', '/api/hello');
  assert.equal(gone.status, 404);
  assert.equal(gone.body.code, 'PLUGIN_DISABLED');
  s = await s.restart();
  assert.equal((await s.api('GET', '/api/hello')).status, 404, 'disabled state is persisted');
  const list = await s.api('GET', '/api/plugins', { token: admin });
  assert.equal(list.body.plugins.find((x: any) => x.name === 'hello').status, 'disabled');
  const e = await s.api('POST', '/api/plugins/enable', { token: admin, body: { name: 'hello' } });
  assert.deepEqual({ ok: e.body.ok, enabled: e.body.enabled }, { ok: true, enabled: 'hello' });
  assert.equal((await s.api('GET', '/api/hello')).status, 200);
});

test('unknown plugins are 404, required ones cannot be disabled (409), non-admins are refused', async () => {
  assert.equal((await s.api('POST', '/api/plugins/enable', { token: admin, body: { name: 'nope' } })).status, 404);
  assert.equal((await s.api('POST', '/api/plugins/disable', { token: admin, body: { name: 'nope' } })).status, 404);
  assert.equal((await s.api('POST', '/api/plugins/disable', { token: admin, body: { name: 'alin-auth' } })).status, 409);
  const user = await s.signup();
  assert.equal((await s.api('GET', '/api/plugins', { token: user.token })).status, 403);
  assert.equal((await s.api('POST', '/api/plugins/reload', { token: user.token, body: {} })).status, 403);
  assert.equal((await s.api('GET', '/api/plugins')).status, 401);
});

test('a reload during 200 concurrent requests fails none of them', async () => {
  const requests = Array.from({ length: 200 }, (_, i) =>
    new Promise((r) => setTimeout(r, i % 50)).then(() => s.api('GET', '/api/hello')),
  );
  const reloads = [0, 1, 2].map((i) =>
    new Promise((r) => setTimeout(r, i * 15)).then(() => {
      writePlugin(dir, 'hello', hello(`r${i}`));
      return s.api('POST', '/api/plugins/reload', { token: admin, body: { name: 'hello' } });
    }),
  );
  const results = await Promise.all(requests);
  await Promise.all(reloads);
  assert.deepEqual(results.filter((r) => r.status !== 200).map((r) => r.status), []);
});

test('a plugin whose timer throws is marked error and the host keeps serving', async () => {
  writePlugin(dir, 'crashy', `export default { name: 'crashy', version: '1', setup(ctx) {
    ctx.routes.get('/crashy', { access: 'public' }, () => ({ alive: true }));
    const t = setTimeout(() => { throw new Error('timer blew up'); }, 50); ctx.onUnload(() => clearTimeout(t));
    ctx.routes.get('/crashy/throw', { access: 'public' }, () => { throw new Error('route blew up'); });
  } };`);
  await s.api('POST', '/api/plugins/reload', { token: admin, body: {} });
  await new Promise((r) => setTimeout(r, 300));
  const list = await s.api('GET', '/api/plugins', { token: admin });
  const crashy = list.body.plugins.find((x: any) => x.name === 'crashy');
  assert.equal(crashy.status, 'error');
  assert.match(crashy.error, /timer blew up/);
  const thrown = await s.api('GET', '/api/crashy/throw');
  assert.equal(thrown.status, 500);
  assert.deepEqual(thrown.body, { error: 'Internal server error', code: 'INTERNAL_ERROR', requestId: thrown.headers.get('x-request-id') });
  assert.equal((await s.api('GET', '/api/health')).status, 200);
});

/** Poll `probe` until it returns true (the watcher is asynchronous); fails with `what` after ~15 s. */
async function eventually(what: string, probe: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`not seen: ${what}`);
}

const counted = (v: number) => `globalThis.__loads = (globalThis.__loads ?? 0) + 1;
export default { name: 'watched', version: '${v}', setup(ctx) {
  const loads = globalThis.__loads;
  ctx.routes.get('/watched', { access: 'public' }, () => ({ v: ${v}, loads }));
} };`;

test('watching: each save reloads once, also saves by rename (temp + rename, sed -i, backup + new file)', async () => {
  const wdir = pluginsDir();
  const file = path.join(writePlugin(wdir, 'watched', counted(1)), 'index.js');
  const w = await startServer({ env: { PLUGINS_DIRS: wdir, PLUGINS_WATCH: '1' } });
  const seen = async (v: number, loads: number) => {
    const b = (await w.api('GET', '/api/watched')).body;
    return b?.v === v && b?.loads === loads;
  };
  try {
    assert.deepEqual((await w.api('GET', '/api/watched')).body, { v: 1, loads: 1 });
    // 1. An editor that writes a temp file and renames it over the original.
    writeFileSync(`${file}.tmp-1234`, counted(2));
    renameSync(`${file}.tmp-1234`, file);
    await eventually('v2 after temp + rename', () => seen(2, 2));
    // 2. sed -i (writes a new file and renames it into place).
    execFileSync('sed', ['-i', 's/v: 2/v: 3/; s/\'2\'/\'3\'/', file]);
    await eventually('v3 after sed -i', () => seen(3, 3));
    // 3. vim with backups: the original is renamed away, a new file written in its place.
    renameSync(file, `${file}~`);
    writeFileSync(file, counted(4));
    await eventually('v4 after backup + new file', () => seen(4, 4));
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual((await w.api('GET', '/api/watched')).body, { v: 4, loads: 4 }, 'three saves, three reloads');
  } finally {
    await w.dispose();
  }
});

test('watching: a folder dropped in is loaded, a removed one unloaded; PLUGINS_WATCH_POLL=1 polls', async () => {
  const wdir = pluginsDir();
  const w = await startServer({ env: { PLUGINS_DIRS: wdir, PLUGINS_WATCH: '1', PLUGINS_WATCH_POLL: '1' } });
  try {
    const admin = (await w.signup()).token;
    assert.equal((await w.api('GET', '/api/dropped')).status, 404);
    const folder = writePlugin(wdir, 'dropped', `export default { name: 'dropped', version: '1', setup(ctx) { ctx.routes.get('/dropped', { access: 'public' }, () => ({ v: 1 })); } };`);
    await eventually('the dropped-in plugin answers', async () => (await w.api('GET', '/api/dropped')).status === 200);
    execFileSync('sed', ['-i', 's/v: 1/v: 2/', path.join(folder, 'index.js')]);
    await eventually('the edit is seen by polling', async () => (await w.api('GET', '/api/dropped')).body?.v === 2);
    rmSync(folder, { recursive: true, force: true });
    await eventually('the removed plugin is gone', async () => (await w.api('GET', '/api/dropped')).status === 404);
    const list = (await w.api('GET', '/api/plugins', { token: admin })).body.plugins;
    assert.equal(list.find((p: any) => p.name === 'dropped'), undefined);
  } finally {
    await w.dispose();
  }
});

test('file changes reload the plugin by themselves when watching is on', async () => {
  const wdir = pluginsDir();
  writePlugin(wdir, 'watched', `export default { name: 'watched', version: '1', setup(ctx) { ctx.routes.get('/watched', { access: 'public' }, () => ({ v: 1 })); } };`);
  const w = await startServer({ env: { PLUGINS_DIRS: wdir, PLUGINS_WATCH: '1' } });
  try {
    assert.deepEqual((await w.api('GET', '/api/watched')).body, { v: 1 });
    writeFileSync(path.join(wdir, 'watched', 'index.js'), `export default { name: 'watched', version: '2', setup(ctx) { ctx.routes.get('/watched', { access: 'public' }, () => ({ v: 2 })); } };`);
    let body;
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      body = (await w.api('GET', '/api/watched')).body;
      if (body?.v === 2) break;
    }
    assert.deepEqual(body, { v: 2 });
  } finally {
    await w.dispose();
  }
});
