/**
 * The bundled server's entry (core/bundle-entry.ts → dist/server.mjs, issue #16) turns on Node's compile cache in the
 * folder next to it before the server's modules load, and writes it once the server has started; Node's own
 * NODE_DISABLE_COMPILE_CACHE still turns it off. Built here with the options of scripts/build.mjs into a temporary
 * folder, beside a stand-in for dist/server-core.mjs that reports what it sees (the whole build would replace the
 * dist/ other tests read).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import { ROOT } from '../helpers/server.ts';

/** Every file under `dir`, relative. */
const filesUnder = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : []);

test('dist/server.mjs loads the server with the compile cache on in dist/compile-cache/ and writes it after start', async () => {
  const dist = mkdtempSync(path.join(tmpdir(), 'aion-compile-cache-'));
  try {
    await esbuild.build({
      entryPoints: [path.join(ROOT, 'core/bundle-entry.ts')], outfile: path.join(dist, 'server.mjs'), bundle: true, platform: 'node',
      format: 'esm', target: 'node22', packages: 'external', external: ['./server-core.mjs'], logLevel: 'silent',
    });
    // The stand-in server: what the cache is while it loads, and a module of its own compiled through it.
    writeFileSync(path.join(dist, 'server-core.mjs'), [
      "import module from 'node:module';",
      "const { size } = await import('./big.mjs');",
      'process.stdout.write(JSON.stringify({ dir: module.getCompileCacheDir() ?? null, size }));',
    ].join('\n'));
    writeFileSync(path.join(dist, 'big.mjs'), `export const size = ${Array.from({ length: 200 }, (_, i) => `((x) => x + ${i})(1)`).join(' + ')};`);
    const run = (env: NodeJS.ProcessEnv = {}) => JSON.parse(execFileSync(process.execPath, [path.join(dist, 'server.mjs')], { env: { PATH: process.env.PATH, ...env } }).toString());

    const first = run();
    assert.equal(first.size, 200 + (199 * 200) / 2, 'the server loaded through the entry');
    assert.equal(path.dirname(path.resolve(first.dir)), path.join(dist, 'compile-cache'), 'a folder per Node.js version in dist/compile-cache/');
    const written = filesUnder(path.join(dist, 'compile-cache'));
    assert.ok(written.length >= 2, `cache entries for the server and its modules: ${written.join(', ')}`);
    assert.equal(run().dir, first.dir, 'a second start uses the same folder');

    rmSync(path.join(dist, 'compile-cache'), { recursive: true, force: true });
    assert.equal(run({ NODE_DISABLE_COMPILE_CACHE: '1' }).dir, null, "Node's switch turns it off");
    assert.deepEqual(filesUnder(path.join(dist, 'compile-cache')), [], 'and nothing is written then');
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
});
