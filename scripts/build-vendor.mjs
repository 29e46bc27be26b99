/**
 * `npm run build`: an npm package of many ES modules bundled into a few files under `dist/vendor/<package>/`, which the
 * bundled server loads in place of the package's own files (core/vendor-redirects.ts).
 *
 * Why (issue #16): zod is 95 modules — its classic API pulls in all 60 locales — and the host and every plugin import
 * it at start. Node resolves, reads, looks up in the compile cache, links and keeps each module apart: in a bare
 * process `import('zod')` cost ~120 ms of CPU and 19 MB of RSS, against ~35 ms and 9 MB for the same code as one file.
 *
 * Every entry of the package's `exports` that has an `import` condition and no wildcard becomes an entry here, built
 * together with code splitting: their shared code lands in shared chunks once, so `zod`, `zod/v4` and `zod/v4/core`
 * stay one instance of the library, as they are from node_modules. `redirects.json` maps each entry's file in the
 * package (relative to its folder) to its file here, with the version bundled, so a start after `npm install` changed
 * the package uses the package again rather than a stale copy.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { asciiOnly } from './ascii-only.mjs';

export const REDIRECTS_FILE = 'redirects.json';

/** `exports` entries of `pkg` an ES module `import` resolves to without a wildcard: `[subpath, file relative to the package]`. */
function importEntries(pkg) {
  return Object.entries(pkg.exports ?? {}).flatMap(([subpath, target]) => {
    const file = typeof target === 'string' ? target : target?.import;
    if (subpath.includes('*') || typeof file !== 'string' || !/\.m?js$/.test(file)) return [];
    return [[subpath, path.posix.normalize(file)]];
  });
}

/** Bundle package `name` (as installed for `root`) into `outRoot/<name>/`; returns what was written. */
export async function buildVendored(root, name, outRoot = path.join(root, 'dist', 'vendor')) {
  const packageJson = createRequire(path.join(root, 'package.json')).resolve(`${name}/package.json`);
  const packageDir = path.dirname(packageJson);
  const pkg = JSON.parse(readFileSync(packageJson, 'utf8'));
  const entries = importEntries(pkg);
  const outdir = path.join(outRoot, name);
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  // `.` → index.mjs, `./v4/core` → v4__core.mjs: one flat folder (`__`, not `-`: zod has both `./v4-mini` and `./v4/mini`).
  const outName = (subpath) => (subpath === '.' ? 'index' : subpath.replace(/^\.\//, '').replace(/\//g, '__'));
  const { outputFiles } = await esbuild.build({
    entryPoints: entries.map(([subpath, file]) => ({ in: path.join(packageDir, file), out: outName(subpath) })),
    outdir, bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node22', write: false,
    outExtension: { '.js': '.mjs' }, chunkNames: 'chunk-[hash]', minifyWhitespace: true, logLevel: 'warning',
  });
  for (const file of outputFiles) await writeFile(file.path, asciiOnly(file.text, path.relative(root, file.path)));
  const files = Object.fromEntries(entries.map(([subpath, file]) => [file, `${outName(subpath)}.mjs`]));
  await writeFile(path.join(outdir, REDIRECTS_FILE), JSON.stringify({ package: name, version: pkg.version, files }, null, 1));
  return { outdir, version: pkg.version, files, written: outputFiles.length };
}
