/**
 * `dist/server.mjs`, the bundled server's entry: turn on Node's compile cache, then load the server
 * (`dist/server-core.mjs`, the bundle of core/main.ts) and its packages through it.
 *
 * Compiling the bundle, Koa, zod, pino and the plugin bundles was a third of a bundled start's CPU (issue #16). With
 * the cache V8 deserialises the code it compiled last time instead, for every module whose bytes are unchanged (Node
 * checks each file's content hash, so an edited or rebuilt file is simply compiled again). The cache must be on before
 * the server's modules are linked, which is why this is a file of its own: a static import is compiled before any line
 * of the importing module runs.
 *
 * Where: `dist/compile-cache/` (`npm run build` clears it and warms it with one start; Node keeps a sub-folder per
 * Node.js version and V8 flags). Node's own `NODE_COMPILE_CACHE` (another folder) and `NODE_DISABLE_COMPILE_CACHE=1`
 * take precedence. Node turns the cache off in a folder the process may not write (the Dockerfile hands this one to
 * the server's user; on a read-only root the start simply compiles, as before).
 *
 * The packages `npm run build` bundled into `dist/vendor/` (zod) are redirected here too, for the same reason: before
 * the first module that imports them is linked.
 */
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import { redirectVendored } from './vendor-redirects.ts';

module.enableCompileCache?.(fileURLToPath(new URL('./compile-cache/', import.meta.url)));
// zod from dist/vendor/ (one bundle, not 95 modules) for the server and its plugins alike: core/vendor-redirects.ts.
redirectVendored(fileURLToPath(new URL('./vendor/', import.meta.url)), fileURLToPath(new URL('../', import.meta.url)));
// @ts-expect-error the bundle of core/main.ts next to this file in dist/ (scripts/build.mjs), not a source module
await import('./server-core.mjs');
// Written now, once the server listens, rather than at exit: a server that is killed never exits normally.
module.flushCompileCache?.();
