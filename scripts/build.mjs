// `npm run build`: bundle the server into dist/server.mjs with esbuild (npm packages stay external), and the panel.
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const started = performance.now();
/** Both server files: npm packages stay external, so the bundle loads them from node_modules as the sources do. */
const serverOptions = { bundle: true, platform: 'node', format: 'esm', target: 'node22', packages: 'external', sourcemap: 'linked', logLevel: 'warning', write: false };

/**
 * Build one server file and write it ASCII-only. esbuild escapes non-ASCII characters in strings but keeps them in
 * comments and regular expressions, and one such character (an em dash in a comment) makes V8 hold the whole
 * ~500 KB source of the bundle as a two-byte string for as long as the process runs: 1.8 MB more idle RSS (issue #16).
 * `\uXXXX` means the same character in a regular expression or identifier and is inert in a comment.
 */
async function buildAscii(entry, outfile, extra = {}) {
  const { outputFiles } = await esbuild.build({ ...serverOptions, ...extra, entryPoints: [path.join(root, entry)], outfile: path.join(root, outfile) });
  await mkdir(path.dirname(path.join(root, outfile)), { recursive: true });
  for (const file of outputFiles) {
    const text = file.path.endsWith('.mjs') ? asciiOnly(file.text) : file.text;
    await writeFile(file.path, text);
  }
}

/**
 * Every character above U+007F as a `\uXXXX` escape (astral characters as their two UTF-16 halves). The one place an
 * escape would change a value is the raw text of a tagged template (`String.raw`), which esbuild leaves as written:
 * a code line (not a comment) with such a character and a backtick stops the build instead of guessing.
 */
function asciiOnly(text) {
  text.split('\n').forEach((line, i) => {
    const code = line.trimStart();
    if (/[^\x00-\x7f]/.test(line) && line.includes('`') && !/^(\/\/|\/\*|\*)/.test(code)) {
      throw new Error(`build: a non-ASCII character next to a template literal on line ${i + 1} of the bundle; write it as an escape in the source`);
    }
  });
  return text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

await buildAscii('core/main.ts', 'dist/server-core.mjs');
// dist/server.mjs turns on Node's compile cache before it loads dist/server-core.mjs (core/bundle-entry.ts).
await buildAscii('core/bundle-entry.ts', 'dist/server.mjs', { external: ['./server-core.mjs'], sourcemap: false });
await rm(path.join(root, 'dist', 'compile-cache'), { recursive: true, force: true }); // entries of files gone or rebuilt
// The memory search worker runs as its own file next to the bundle (core/memory/search-pool/pool.ts finds it there).
await buildAscii('core/memory/search-pool/worker.ts', 'dist/memory-search-worker.mjs');
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
