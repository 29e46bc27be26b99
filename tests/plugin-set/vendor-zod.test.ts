/**
 * The bundled server loads zod from `dist/vendor/zod/` (scripts/build-vendor.mjs, core/vendor-redirects.ts; issue #16):
 * a few files instead of 95 modules. Built here with the options of scripts/build.mjs into a temporary root whose
 * node_modules is this checkout's, beside a stand-in for dist/server-core.mjs that imports zod the three ways the
 * server does — bare in the host, by file URL in a plugin bundle, by subpath in an SDK — and reports what it got.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import { ROOT } from '../helpers/server.ts';
// @ts-expect-error a build script (plain JavaScript, no types)
import { buildVendored } from '../../scripts/build-vendor.mjs';

const zodFile = (p: string) => pathToFileURL(path.join(ROOT, 'node_modules/zod', p)).href;

/** What the stand-in server reports: resolved URLs, zod files loaded from node_modules, instance checks. */
const standIn = `
import module from 'node:module';
const loaded = [];
module.registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
const bare = await import('zod');
const byFile = await import(${JSON.stringify(zodFile('index.js'))});
const v4 = await import('zod/v4');
const core = await import('zod/v4/core');
const schema = bare.z.object({ name: bare.z.string().describe('who') });
// A second bundle importing the same file URL and built-ins: the hook's remembered resolutions (a hit, not a miss).
const second = await import('./second.mjs');
const nodePath = await import('node:path');
process.stdout.write(JSON.stringify({
  secondBundle: second.z === bare.z && second.resolved === import.meta.resolve(${JSON.stringify(zodFile('index.js'))}) && second.resolved === import.meta.resolve('zod'),
  builtins: second.path === nodePath.default && module.createRequire(import.meta.url)('node:path') === nodePath.default && second.requiredPath === nodePath.default,
  resolved: import.meta.resolve('zod'),
  fromNodeModules: loaded.filter((u) => u.includes('/node_modules/zod/')),
  sameModule: bare === byFile,
  sameClasses: bare.ZodType === v4.ZodType && bare.core.$ZodType === core.$ZodType,
  parsed: schema.parse({ name: 'Ada' }),
  jsonSchema: v4.z.toJSONSchema(schema),
  issue: bare.z.string().safeParse(1).error.issues[0].message,
}));`;

test('the bundled entry loads zod from dist/vendor: one instance for the host, plugin bundles and subpaths, no node_modules/zod file', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'aion-vendor-'));
  try {
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
    const dist = path.join(root, 'dist');
    mkdirSync(dist);
    await esbuild.build({
      entryPoints: [path.join(ROOT, 'core/bundle-entry.ts')], outfile: path.join(dist, 'server.mjs'), bundle: true, platform: 'node',
      format: 'esm', target: 'node22', packages: 'external', external: ['./server-core.mjs'], logLevel: 'silent',
    });
    writeFileSync(path.join(dist, 'server-core.mjs'), standIn);
    writeFileSync(path.join(dist, 'second.mjs'), `import { z } from ${JSON.stringify(zodFile('index.js'))};
import path from 'node:path';
import module from 'node:module';
export { z, path };
export const resolved = import.meta.resolve(${JSON.stringify(zodFile('index.js'))});
export const requiredPath = module.createRequire(import.meta.url)('node:path');`);
    const built = await buildVendored(ROOT, 'zod', path.join(dist, 'vendor'));
    const vendorDir = path.join(dist, 'vendor', 'zod');
    assert.equal(built.files['index.js'], 'index.mjs');
    assert.equal(built.files['v4/core/index.js'], 'v4__core.mjs');
    assert.notEqual(built.files['v4-mini/index.js'], built.files['v4/mini/index.js'], 'zod/v4-mini and zod/v4/mini stay two files');
    for (const f of readdirSync(vendorDir)) assert.doesNotMatch(readFileSync(path.join(vendorDir, f), 'utf8'), /[^\x00-\x7f]/, `${f} is ASCII-only`);
    const run = () => JSON.parse(execFileSync(process.execPath, [path.join(dist, 'server.mjs')], { env: { PATH: process.env.PATH, NODE_DISABLE_COMPILE_CACHE: '1' } }).toString());

    const got = run();
    assert.equal(got.resolved, pathToFileURL(path.join(vendorDir, 'index.mjs')).href);
    assert.deepEqual(got.fromNodeModules, [], 'no zod file from node_modules');
    assert.equal(got.sameModule, true, "a plugin bundle's file URL of zod is the host's zod");
    assert.equal(got.secondBundle, true, 'a second bundle importing that file URL (a remembered resolution) gets the same vendored zod');
    assert.equal(got.builtins, true, 'remembered built-ins are the built-ins, by import and by require');
    assert.equal(got.sameClasses, true, 'zod, zod/v4 and zod/v4/core share one instance');
    assert.deepEqual(got.parsed, { name: 'Ada' });
    assert.equal(got.jsonSchema.properties.name.description, 'who', 'descriptions reach JSON Schema (one registry)');
    assert.match(got.issue, /expected string/i, 'the English messages');

    // After an `npm install` that changed zod, the vendored copy is stale: node_modules is used, as before the build.
    const record = JSON.parse(readFileSync(path.join(vendorDir, 'redirects.json'), 'utf8'));
    writeFileSync(path.join(vendorDir, 'redirects.json'), JSON.stringify({ ...record, version: '0.0.1' }));
    const stale = run();
    assert.equal(stale.resolved, zodFile('index.js'));
    assert.ok(stale.fromNodeModules.includes(zodFile('index.js')));
    assert.equal(stale.sameModule, true);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
