/**
 * The npm packages dist/server-core.mjs holds (scripts/build-host-packages.mjs, issue #16). A stand-in entry that
 * uses them as the server does (Koa with the server's plain JSON bodies, jose, semver, pino, prom-client by file) is
 * built with the build's own options into a temporary root whose node_modules is this checkout's: none of their files
 * is loaded from node_modules, a package left out (zod) still is, and Koa answers as before. And the rule that makes
 * bundling them safe: no plugin imports them, and the host never loads them again at run time by `createRequire`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import { ROOT } from '../helpers/server.ts';
// @ts-expect-error a build script (plain JavaScript, no types)
import { HOST_PACKAGES, serverCorePackages } from '../../scripts/build-host-packages.mjs';

const entry = `
import module from 'node:module';
const loaded = [];
module.registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
const fromNodeModules = () => loaded.filter((u) => u.includes('/node_modules/')).map((u) => u.slice(u.indexOf('/node_modules/') + 14));
const { default: Koa } = await import('koa');
const { plainJsonBodies } = await import(${JSON.stringify(path.join(ROOT, 'core/json-bodies.ts'))});
const { SignJWT } = await import('jose/jwt/sign');
const { default: satisfies } = await import('semver/functions/satisfies.js');
const { default: pino } = await import('pino');
const { default: Counter } = await import('prom-client/lib/counter.js');
const { z } = await import('zod');
const app = new Koa();
plainJsonBodies(app);
app.use((ctx) => {
  if (ctx.path === '/json') ctx.body = { ok: true };
  else { ctx.type = 'html'; ctx.body = ctx.accepts('json', 'html') + ' ' + ctx.is('json'); }
});
const server = app.listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const base = 'http://127.0.0.1:' + server.address().port;
const json = await fetch(base + '/json');
const typed = await fetch(base + '/typed', { method: 'POST', headers: { accept: 'text/html', 'content-type': 'application/json' }, body: '{}' });
const lines = [];
pino({ base: null, timestamp: false }, { write: (l) => lines.push(JSON.parse(l)) }).info('logged');
const out = {
  fromNodeModules: fromNodeModules(),
  json: [json.status, json.headers.get('content-type'), await json.text()],
  typed: [typed.status, typed.headers.get('content-type'), await typed.text()],
  jwt: (await new SignJWT({ a: 1 }).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(32))).split('.').length,
  semver: satisfies('1.2.3', '^1.0.0'), log: lines[0]?.msg, counter: typeof Counter, zod: z.string().parse('ok'),
};
server.close();
process.stdout.write(JSON.stringify(out));`;

test('the server bundle holds the host-only packages: none is loaded from node_modules, others still are, Koa answers as before', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'aion-host-packages-'));
  try {
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
    mkdirSync(path.join(root, 'src'));
    writeFileSync(path.join(root, 'src', 'entry.mjs'), entry);
    const outfile = path.join(root, 'dist', 'server-core.mjs');
    await esbuild.build({
      ...serverCorePackages(), entryPoints: [path.join(root, 'src', 'entry.mjs')], outfile, bundle: true, platform: 'node',
      format: 'esm', target: 'node22', logLevel: 'silent',
    });
    const got = JSON.parse(execFileSync(process.execPath, [outfile], { env: { PATH: process.env.PATH } }).toString());
    // The entry's packages and what they pull in (Koa's accepts, mime-types, http-errors …): nothing but zod from node_modules.
    assert.deepEqual(got.fromNodeModules.filter((f: string) => !f.startsWith('zod/')), [], 'no file of a bundled package is loaded from node_modules');
    assert.ok(got.fromNodeModules.some((f: string) => f.startsWith('zod/')), 'a package left out loads from node_modules');
    assert.deepEqual(got.json, [200, 'application/json; charset=utf-8', '{"ok":true}']);
    assert.deepEqual(got.typed, [200, 'text/html; charset=utf-8', 'html json']);
    assert.equal(got.jwt, 3);
    assert.equal(got.semver, true);
    assert.equal(got.log, 'logged');
    assert.equal(got.counter, 'function');
    assert.equal(got.zod, 'ok');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/** Every .ts file under `dir` (node_modules and tests beside the code left out). */
function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.parentPath.includes('node_modules'))
    .map((e) => path.join(e.parentPath, e.name));
}

test('a bundled package is the host\'s alone: no plugin imports it and the host never requires it at run time', () => {
  const mentions = (files: string[], pattern: (name: string) => RegExp) =>
    files.flatMap((file) => HOST_PACKAGES.filter((name: string) => pattern(name).test(readFileSync(file, 'utf8'))).map((name: string) => `${path.relative(ROOT, file)}: ${name}`));
  const escape = (name: string) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  // `import type` is erased; any other import (or a dynamic one) would give the plugin a second copy.
  const valueImport = (name: string) => new RegExp(`^\\s*import\\s+(?!type\\b)[^;]*?from\\s+['"]${escape(name)}(/[^'"]*)?['"]|import\\(\\s*['"]${escape(name)}(/[^'"]*)?['"]`, 'm');
  assert.deepEqual(mentions(sources(path.join(ROOT, 'plugins')), valueImport), []);
  const runtimeRequire = (name: string) => new RegExp(`require\\w*\\(\\s*[\`'"]${escape(name)}(/[^\`'"]*)?[\`'"]`);
  assert.deepEqual(mentions(sources(path.join(ROOT, 'core')), runtimeRequire), []);
  assert.ok(HOST_PACKAGES.includes('koa') && !HOST_PACKAGES.includes('zod'), 'zod is shared with the plugins: never bundled');
});
