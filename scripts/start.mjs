// `npm start`: refuse a Node.js older than `engines.node`, rebuild the control panel when its sources are newer than
// the bundle (it builds from runtime dependencies only, so `npm ci --omit=dev` is enough), then run the server: from
// dist/server.mjs when `npm run build` made it after the last change to core/, else from the sources through tsx.
//
// `--max-semi-space-size=4` (on the `node` command of `npm start` and of the container, since V8 reads it only when the
// process starts): V8's young generation grows to its 16 MB-per-semi-space ceiling while the server starts (most of
// what start-up allocates survives) and never shrinks back, which left 24 MB of an idle server's RSS in two mostly empty
// semi-spaces. A 4 MB ceiling keeps an idle server ~14 MB smaller (122 → 100 MB with the other issue #16 changes).
// Its cost was measured with the chat-proxy bench (server CPU per proxied 500-token stream, 100 concurrent, burst) on a
// loaded 2-core machine: 16 MB 4.3–6.0 ms (6 runs), 8 MB 4.8–5.5 (2), 4 MB 4.4–7.3 (5), 2 MB 6.4–6.5 (2) — 4 MB within
// the default's spread, 2 MB clearly above it (more scavenges, earlier promotion); 1,000 open streams' peak RSS alike.
//
// No static imports: they would be loaded before the version check, and on an old Node a module of ours (or of a
// dependency) may fail first with an obscure error instead of the clear message below.
const { readFileSync, existsSync, readdirSync, statSync } = await import('node:fs');
const path = await import('node:path');
const { fileURLToPath } = await import('node:url');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const wanted = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).engines?.node;
if (wanted) {
  const { default: satisfies } = await import('semver/functions/satisfies.js'); // not the entry's ~40 modules
  if (!satisfies(process.versions.node, wanted)) {
    console.error(`AION needs Node.js ${wanted} (engines.node in package.json); this is Node.js ${process.versions.node} (${process.execPath}).`);
    console.error('Install a newer Node.js (24 LTS recommended, e.g. from https://nodejs.org or your package manager) and run npm start again.');
    process.exit(1);
  }
}

function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

// A container image ships web/dist without web/src: nothing to rebuild then.
const webSrc = path.join(root, 'web', 'src');
const webOut = path.join(root, 'web', 'dist', 'index.html');
if (existsSync(webSrc) && (!existsSync(webOut) || newest(webSrc) > statSync(webOut).mtimeMs)) {
  try {
    const { buildWeb } = await import('./build-web.mjs');
    await buildWeb({ quiet: true });
  } catch (error) {
    // The API must come up even when the panel cannot be built; the fallback page says so.
    console.error(`control panel build failed, serving the API only: ${error?.message?.split('\n')[0] ?? error}`);
  }
}

// The esbuild bundle of `npm run build` when it is newer than every core source (it starts in about a third of the
// time and memory of tsx compiling the sources, issue #16) and than the last `npm install` (the bundle holds the
// host's own packages, Koa among them: scripts/build-host-packages.mjs — an update of one must not be left unused);
// the sources through tsx otherwise, or with START_FROM=source.
const bundle = path.join(root, 'dist', 'server.mjs');
const installed = path.join(root, 'node_modules', '.package-lock.json'); // npm rewrites it on every install
const bundleFresh =
  process.env.START_FROM !== 'source' && existsSync(bundle) && statSync(bundle).mtimeMs >= newest(path.join(root, 'core')) &&
  (!existsSync(installed) || statSync(bundle).mtimeMs >= statSync(installed).mtimeMs);
if (!bundleFresh && existsSync(bundle) && process.env.START_FROM !== 'source') {
  console.error('dist/ is older than core/ or the last npm install: starting from the sources (npm run build makes a fresh bundle)');
}
if (bundleFresh) {
  const { pathToFileURL } = await import('node:url');
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../core/main.ts');
}
