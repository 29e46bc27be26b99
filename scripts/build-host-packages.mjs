/**
 * What dist/server-core.mjs holds of npm (`npm run build`, issue #16): the packages only the host imports are bundled
 * into it; every other package stays external and loads from node_modules, as from the sources.
 */
import path from 'node:path';

/**
 * Packages only the host imports, bundled with everything they import: Koa alone is ~45 CommonJS files that Node
 * resolved, read, wrapped and looked up in the compile cache one by one at every start, and the host's ~190 npm
 * modules cost more of a start than its own code. A package belongs here only if no plugin imports it and the host
 * never also loads it at run time by `createRequire` (a second copy of its classes would fail `instanceof`:
 * rate-limiter-flexible, whose PostgreSQL limiter loads late, stays out). Plugins' bundles keep importing
 * node_modules, so a package both use stays one instance.
 */
export const HOST_PACKAGES = ['koa', 'semver', 'jose', 'dotenv', 'prom-client', 'co-body', 'pino'];

/** esbuild options for dist/server-core.mjs (added to the shared server options). */
export function serverCorePackages() {
  return {
    packages: undefined,
    plugins: [hostPackagesInside(new Set(HOST_PACKAGES))],
    // The bundled CommonJS packages require Node built-ins; an ES module has no `require` of its own to hand them.
    banner: { js: "import { createRequire as __hostRequire } from 'node:module'; const require = __hostRequire(import.meta.url);" },
  };
}

/** Every package but `names` stays external; a bundled package's own imports are bundled with it. */
function hostPackagesInside(names) {
  const packageOf = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
  return {
    name: 'host-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:') || path.isAbsolute(args.path)) return undefined;
        if (args.importer.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        return names.has(packageOf(args.path)) ? undefined : { path: args.path, external: true };
      });
    },
  };
}
