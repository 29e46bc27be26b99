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
  try {
    const { buildWeb } = await import('./build-web.mjs');
    await buildWeb({ quiet: true });
  } catch (error) {
    // The API must come up even when the panel cannot be built; the fallback page says so.
    console.error(`control panel build failed, serving the API only: ${error?.message?.split('\n')[0] ?? error}`);
  }
}

register();
await import('../core/main.ts');
