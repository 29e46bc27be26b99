// Builds the control panel: esbuild bundles web/src/main.tsx (Preact, JSX automatic) and web/src/styles.css into
// web/dist/ with content-hashed names (the static server caches `-XXXXXXXX.` names forever), then writes index.html
// pointing at them. No inline script or style: the server's CSP forbids both.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const webDir = path.join(root, 'web');
const outDir = path.join(webDir, 'dist');

/** The page shell; `ready` markers and everything else come from the bundle. */
function html(js, css) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>AION</title>
<link rel="icon" type="image/svg+xml" href="/favicon.svg">
<link rel="stylesheet" href="/${css}">
<script type="module" src="/${js}"></script>
</head>
<body>
<div id="app"><noscript>The AION control panel needs JavaScript.</noscript></div>
</body>
</html>
`;
}

function writeAtomic(file, contents) {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

/**
 * Bundle the panel into `web/dist/`.
 * @param {{ quiet?: boolean, minify?: boolean }} [options]
 * @returns {Promise<{ js: string, css: string, bytes: number, gzipBytes: number }>} file names and sizes (JS + CSS)
 * @example await buildWeb({ quiet: true });
 */
export async function buildWeb({ quiet = false, minify = true } = {}) {
  const started = Date.now();
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: { app: path.join(webDir, 'src', 'main.tsx') },
    bundle: true,
    format: 'esm',
    splitting: false,
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify,
    sourcemap: false,
    legalComments: 'none',
    outdir: outDir,
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    metafile: true,
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  // Hashed names make a rebuild of the same sources a no-op, and every file lands by rename: a server (or a second
  // build running at the same time, as parallel tests do) never sees a half-written file.
  const outputs = result.outputFiles.map((f) => ({ name: path.basename(f.path), contents: f.contents }));
  const js = outputs.find((f) => f.name.endsWith('.js'))?.name;
  const css = outputs.find((f) => f.name.endsWith('.css'))?.name;
  if (!js || !css) throw new Error(`web build produced no ${js ? 'CSS' : 'JS'} (outputs: ${outputs.map((f) => f.name).join(', ')})`);
  for (const f of outputs) if (!existsSync(path.join(outDir, f.name))) writeAtomic(path.join(outDir, f.name), f.contents);
  writeAtomic(path.join(outDir, 'favicon.svg'), readFileSync(path.join(webDir, 'src', 'favicon.svg')));
  writeAtomic(path.join(outDir, 'index.html'), html(js, css));
  const keep = new Set(['index.html', 'favicon.svg', ...outputs.map((f) => f.name)]);
  for (const f of readdirSync(outDir)) if (!keep.has(f) && /-[A-Z0-9]{8}\.(js|css)$/i.test(f)) rmSync(path.join(outDir, f), { force: true });
  let bytes = 0;
  let gzipBytes = 0;
  for (const f of outputs) {
    bytes += f.contents.length;
    gzipBytes += gzipSync(f.contents, { level: 9 }).length;
  }
  if (!quiet) {
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
    console.log(`web: ${js} + ${css} → ${kb(bytes)} (${kb(gzipBytes)} gzip, target < 150 KB gzip) in ${Date.now() - started} ms`);
  }
  return { js, css, bytes, gzipBytes };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildWeb().catch((error) => {
    console.error(error?.errors?.length ? error.errors.map((e) => `${e.location?.file}:${e.location?.line}: ${e.text}`).join('\n') : error);
    process.exit(1);
  });
}
