/**
 * `npm run build`: CommonJS packages that do costly work when they are loaded, loaded instead when the server first
 * calls into them. In the server bundle each `require` of such a package from another package gets a stand-in with
 * the same exports: functions that load the package on their first call, and getters for its other values.
 *
 * Why (issue #16): mime-types builds its extension maps from all of mime-db (~2,500 types, each scored) when it is
 * loaded, and Koa, accepts and type-is load it at start; the server needs it only when a response type is set by
 * name or a request's type is negotiated, which the JSON routes do not do. The stand-in is generated from the
 * package itself at build time (which exports are functions), so it follows the installed version.
 */
import { createRequire } from 'node:module';

/** An esbuild plugin: `names` are loaded on first use when imported from within node_modules. */
export function deferredPackages(names) {
  const filter = new RegExp(`^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
  return {
    name: 'deferred-packages',
    setup(build) {
      build.onResolve({ filter }, async (args) => {
        if (args.pluginData?.deferred || !args.importer.includes('/node_modules/')) return undefined;
        // The copy this importer would get (nested versions differ): one stand-in per resolved file.
        const real = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { deferred: true } });
        if (real.errors.length) return { errors: real.errors };
        return { path: real.path, namespace: 'deferred' };
      });
      build.onLoad({ filter: /.*/, namespace: 'deferred' }, (args) => {
        const exported = createRequire(args.path)(args.path);
        const lines = [`let loaded;`, `const real = () => (loaded ??= require(${JSON.stringify(args.path)}));`];
        for (const key of Object.keys(exported)) {
          const name = JSON.stringify(key);
          lines.push(typeof exported[key] === 'function'
            ? `exports[${name}] = function (...args) { return real()[${name}].apply(this, args); };`
            : `Object.defineProperty(exports, ${name}, { enumerable: true, get: () => real()[${name}] });`);
        }
        return { contents: lines.join('\n'), loader: 'js', resolveDir: '/' };
      });
    },
  };
}
