/**
 * The bundled server loads the packages `npm run build` bundled into `dist/vendor/<package>/` (scripts/build-vendor.mjs)
 * instead of their many files in node_modules: zod, 95 modules, is imported by the host and every plugin at start and
 * as one bundle costs a third of the CPU and half of the RSS (issue #16).
 *
 * A module resolution hook (in this thread, synchronous) lets Node resolve every import as usual and swaps the result
 * when it is the file of one of the package's entries: `import 'zod'` in the host, the plugins' `import
 * "file:///…/node_modules/zod/index.js"` (bundle.ts pins npm packages to their files) and an SDK's `zod/v4` all land on
 * the same vendored module, so there is still one zod — one schema registry — in the process. Files that are not an
 * entry (a single locale, the CommonJS build that `require` picks) are left to node_modules as before.
 *
 * A package whose installed version is not the one bundled (an `npm install` after the build), or whose vendored
 * files are incomplete, is simply not redirected.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** `dist/vendor/<package>/redirects.json`, as scripts/build-vendor.mjs writes it. */
interface RedirectsRecord {
  package: string;
  version: string;
  /** Entry file in the package folder (relative, `/`-separated) → file in the vendored folder. */
  files: Record<string, string>;
}

/** Installed-file URL → vendored-file URL for every package in `vendorDir` that still matches node_modules of `root`. */
export function vendorRedirects(vendorDir: string, root: string): Map<string, string> {
  const redirects = new Map<string, string>();
  if (!existsSync(vendorDir)) return redirects;
  for (const name of readdirSync(vendorDir)) {
    try {
      const record = JSON.parse(readFileSync(path.join(vendorDir, name, 'redirects.json'), 'utf8')) as RedirectsRecord;
      // The real path: Node resolves modules to their real location, which a hook compares against.
      const packageDir = realpathSync(path.join(root, 'node_modules', record.package));
      const installed = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')).version;
      const targets = Object.values(record.files).map((f) => path.join(vendorDir, name, f));
      if (installed !== record.version || !targets.every((f) => existsSync(f))) continue;
      for (const [from, to] of Object.entries(record.files)) {
        redirects.set(pathToFileURL(path.join(packageDir, from)).href, pathToFileURL(path.join(vendorDir, name, to)).href);
      }
    } catch {
      // No record, a package no longer installed, unreadable JSON: that package loads from node_modules.
    }
  }
  return redirects;
}

/** Resolutions remembered (see `redirectVendored`); starts over when full (each plugin reload adds its bundle's URL). */
const MAX_REMEMBERED = 4096;

/**
 * Install the redirects for this thread's module loads (a Node.js without `registerHooks` keeps node_modules).
 *
 * With a hook installed every import and require goes through it, and Node resolves a specifier once per importing
 * module: the same `node:` built-in or pinned `file:///…/node_modules/…` URL of the 38 plugin bundles is resolved
 * (stat, realpath, package scope) once per bundle, ~200 of a start's ~460 resolutions (issue #16). Those two kinds do
 * not depend on the importer, so their result is remembered, apart for `require` and `import`. Everything else
 * (relative and bare specifiers, which do) is resolved every time, as before. A URL that once resolved keeps its
 * answer for the process, as its module does in Node's module map.
 */
export function redirectVendored(vendorDir: string, root: string): number {
  const redirects = vendorRedirects(vendorDir, root);
  if (redirects.size === 0 || typeof module.registerHooks !== 'function') return 0;
  const remembered = new Map<string, module.ResolveFnOutput>();
  module.registerHooks({
    resolve(specifier, context, nextResolve) {
      const key = specifier.startsWith('node:') || specifier.startsWith('file:') ? `${context.conditions?.includes('require') ? 'r' : 'i'}${specifier}` : undefined;
      const known = key === undefined ? undefined : remembered.get(key);
      if (known) return { ...known, shortCircuit: true };
      const resolved = nextResolve(specifier, context);
      const to = redirects.get(resolved.url);
      const result = to ? { ...resolved, url: to, format: 'module' } : resolved;
      if (key !== undefined) {
        if (remembered.size >= MAX_REMEMBERED) remembered.clear();
        remembered.set(key, result);
      }
      return result;
    },
  });
  return redirects.size;
}
