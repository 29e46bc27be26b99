// `npm run build`: bundle the server into dist/server.mjs with esbuild (npm packages stay external), and the panel.
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { asciiOnly } from './ascii-only.mjs';
import { buildVendored } from './build-vendor.mjs';
import { serverCorePackages } from './build-host-packages.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const started = performance.now();
/** Both server files: npm packages stay external, so the bundle loads them from node_modules as the sources do. */
const serverOptions = { bundle: true, platform: 'node', format: 'esm', target: 'node22', packages: 'external', sourcemap: 'linked', logLevel: 'warning', write: false };

/** Build one server file and write it ASCII-only (scripts/ascii-only.mjs says why). */
async function buildAscii(entry, outfile, extra = {}) {
  const { outputFiles } = await esbuild.build({ ...serverOptions, ...extra, entryPoints: [path.join(root, entry)], outfile: path.join(root, outfile) });
  await mkdir(path.dirname(path.join(root, outfile)), { recursive: true });
  for (const file of outputFiles) {
    const text = file.path.endsWith('.mjs') ? asciiOnly(file.text) : file.text;
    await writeFile(file.path, text);
  }
}

// With the host-only npm packages inside it (scripts/build-host-packages.mjs).
await buildAscii('core/main.ts', 'dist/server-core.mjs', serverCorePackages());
// dist/server.mjs turns on Node's compile cache before it loads dist/server-core.mjs (core/bundle-entry.ts).
await buildAscii('core/bundle-entry.ts', 'dist/server.mjs', { external: ['./server-core.mjs'], sourcemap: false });
await rm(path.join(root, 'dist', 'compile-cache'), { recursive: true, force: true }); // entries of files gone or rebuilt
// The memory search worker runs as its own file next to the bundle (core/memory/search-pool/pool.ts finds it there).
await buildAscii('core/memory/search-pool/worker.ts', 'dist/memory-search-worker.mjs');
// zod as a few files instead of 95 modules, for the host and every plugin of the bundled server (scripts/build-vendor.mjs).
await buildVendored(root, 'zod');
console.log(`server bundle: dist/server.mjs (${Math.round(performance.now() - started)} ms)`);

// Prebuild the built-in plugins, so the bundled server starts without running esbuild (the host uses these files
// while the plugin sources are unchanged, and builds into DATA_DIR/.plugin-cache otherwise).
const { register } = await import('tsx/esm/api');
register();
const { bundlePlugin, publishPluginApi } = await import('../core/plugins/bundle.ts');
const { discoverPlugins } = await import('../core/plugins/discover.ts');
const apiNames = await publishPluginApi();
const cacheDir = path.join(root, 'dist', 'plugin-cache');
await rm(cacheDir, { recursive: true, force: true });
const plugins = await discoverPlugins([path.join(root, 'plugins')], path.join(root, 'plugins'));
const built = await Promise.allSettled(plugins.map((p) => bundlePlugin(p.name, p.entry, cacheDir, apiNames)));
const failed = built.filter((b) => b.status === 'rejected');
// With each folder's fingerprint, so a start whose built-in folders are unchanged skips hashing them.
const { keyHeader } = await import('../core/plugins/bundle.ts');
const { writeRecordedKeys } = await import('../core/plugins/prebuilt-keys.ts');
const recorded = plugins.flatMap((p, i) => (built[i].status === 'fulfilled' ? [{ name: p.name, pluginDir: path.dirname(p.entry), key: built[i].value.hash }] : []));
await writeRecordedKeys(cacheDir, keyHeader(apiNames), recorded);
console.log(`plugins prebuilt: ${built.length - failed.length}/${built.length} into dist/plugin-cache/`);
for (const f of failed) console.error(`  ${f.reason?.message ?? f.reason}`);
const { warmCompileCache } = await import('./warm-compile-cache.mjs');
console.log(await warmCompileCache(root));
if (!process.argv.includes('--server-only') && existsSync(path.join(root, 'scripts/build-web.mjs')) && existsSync(path.join(root, 'web/src'))) {
  const { buildWeb } = await import('./build-web.mjs');
  await buildWeb({ quiet: false });
}
