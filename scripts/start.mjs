// `npm start`: rebuild the control panel when its sources are newer than the bundle, then run the server from the
// TypeScript sources through tsx (no separate build step needed).
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const webSrc = path.join(root, 'web', 'src');
const webOut = path.join(root, 'web', 'dist', 'index.html');
if (existsSync(webSrc) && (!existsSync(webOut) || newest(webSrc) > statSync(webOut).mtimeMs)) {
  const { buildWeb } = await import('./build-web.mjs');
  await buildWeb({ quiet: true });
}

register();
await import('../core/main.ts');
