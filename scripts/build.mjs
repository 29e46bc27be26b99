// `npm run build`: bundle the server into dist/server.mjs with esbuild (npm packages stay external), and the panel.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const started = performance.now();
await esbuild.build({
  entryPoints: [path.join(root, 'core/main.ts')],
  outfile: path.join(root, 'dist/server.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
console.log(`server bundle: dist/server.mjs (${Math.round(performance.now() - started)} ms)`);
if (existsSync(path.join(root, 'scripts/build-web.mjs')) && existsSync(path.join(root, 'web/src'))) {
  const { buildWeb } = await import('./build-web.mjs');
  await buildWeb({ quiet: false });
}
