/**
 * Build one plugin folder into one ESM file under `DATA_DIR/.plugin-cache/`, named by the hash of its content, so
 * every reload imports a fresh module graph.
 *
 * - Imports of `core/plugin-api` (by relative path, or as `aion/plugin-api`) become a tiny module that hands out the
 *   host's own plugin-API instance, so errors and helpers are the host's classes.
 * - npm packages stay external but are rewritten to absolute file paths, so a bundle in any folder loads the same
 *   package instance as the host (one zod, one SDK).
 */
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import type * as Esbuild from 'esbuild';
import { ROOT_DIR } from '../config.ts';
import { locatedError, PluginLoadError, type PluginErrorLocation } from './error-location.ts';
import { recordedKey } from './prebuilt-keys.ts';
import { entryPath } from '../util/entry-path.ts';
import { sourceFiles } from './source-files.ts';

export const PLUGIN_API_GLOBAL = Symbol.for('aion.plugin-api');
const API_NAMESPACE = 'aion-plugin-api';
const API_IMPORT = /(^|\/)core\/plugin-api(\/index(\.ts|\.js)?)?$|^(@?aion|aion-runtime)\/plugin-api$/;
const CORE_DIR = path.join(ROOT_DIR, 'core');

/** Where a build error is, for the plugin list and the log. */
export type BuildErrorLocation = PluginErrorLocation;

/** A failed build: the message names file, line and column and quotes the line. */
export class PluginBuildError extends PluginLoadError {
  constructor(message: string, location?: BuildErrorLocation) {
    super(message, location);
    this.name = 'PluginBuildError';
  }
}

const inside = (dir: string, file: string) => {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/** Why `resolved` may not be imported by a plugin in `pluginDir`, or `undefined` when it may. */
export function importRefusal(specifier: string, resolved: string, pluginDir: string): string | undefined {
  if (inside(pluginDir, resolved)) return undefined;
  const where = inside(ROOT_DIR, resolved) ? path.relative(ROOT_DIR, resolved) : 'a file outside the plugin folder';
  return `import "${specifier}" (${where}) is not allowed: a plugin may import only core/plugin-api, npm packages and its own files`;
}

export interface BuiltPlugin {
  file: string;
  hash: string;
  buildMs: number;
}

/** Runs once: publish the host's plugin API instance where bundles find it. */
export async function publishPluginApi(): Promise<string[]> {
  const api = await import('../plugin-api/index.ts');
  (globalThis as any)[PLUGIN_API_GLOBAL] = api;
  return Object.keys(api).filter((k) => k !== 'default');
}

function apiShim(names: string[]): string {
  const lines = [`const api = globalThis[Symbol.for('aion.plugin-api')];`];
  for (const n of names) lines.push(`export const ${n} = api.${n};`);
  return lines.join('\n');
}

/**
 * esbuild is loaded on the first build, not at start: with every bundle already cached (always after `npm run build`)
 * a start never builds, and the module costs ~15 MB and ~200 ms (issue #16). The cache key needs only its version.
 */
let esbuildModule: Promise<typeof Esbuild> | undefined;
const loadEsbuild = () => (esbuildModule ??= import('esbuild'));
/** Changes when what a build writes changes (2: a source map beside each bundle), so older bundles are rebuilt. */
const BUNDLE_FORMAT = 'aion-bundle-2';
const ESBUILD_VERSION: string = createRequire(import.meta.url)('esbuild/package.json').version;

/** What besides the sources goes into a source key: a different build format, esbuild, checkout or plugin API. */
export function keyHeader(apiNames: string[]): string {
  return [BUNDLE_FORMAT, ESBUILD_VERSION, ROOT_DIR, apiNames.join(',')].join('');
}

/**
 * The hash of a plugin folder's sources (every file's path and bytes), the esbuild version and the plugin API's
 * names: the same key means the same bundle, so a restart can skip esbuild.
 */
export async function sourceKey(pluginDir: string, apiNames: string[]): Promise<string> {
  const hash = createHash('sha256').update(keyHeader(apiNames));
  for (const { file, rel } of await sourceFiles(pluginDir)) hash.update(rel).update('\0').update(await readFile(file)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** Routes plugin-API imports to the shim that hands out the host's own instance. */
function shareHostApi(build: Esbuild.PluginBuild, apiNames: string[]) {
  build.onResolve({ filter: /plugin-api/ }, (args) =>
    API_IMPORT.test(args.path.replace(/\\/g, '/')) ? { path: 'plugin-api', namespace: API_NAMESPACE } : undefined,
  );
  build.onLoad({ filter: /.*/, namespace: API_NAMESPACE }, () => ({ contents: apiShim(apiNames), loader: 'js' }));
}

/** The import rule: relative and absolute imports, and every file actually read, stay inside the plugin folder. */
function confineToPluginFolder(build: Esbuild.PluginBuild, pluginDir: string) {
  build.onResolve({ filter: /^(\.|\/|[A-Za-z]:[\\/])/ }, (args) => {
    if (args.kind === 'entry-point') return undefined;
    const refusal = importRefusal(args.path, path.resolve(args.resolveDir || pluginDir, args.path), pluginDir);
    return refusal ? { errors: [{ text: refusal }] } : undefined;
  });
  // The backstop: whatever path led here (a symlink inside the folder, say), every file esbuild reads must
  // really be inside the plugin folder.
  const realPluginDir = realpathSync(pluginDir);
  build.onLoad({ filter: /.*/, namespace: 'file' }, (args) => {
    const real = realpathSync(args.path);
    return inside(realPluginDir, real) ? undefined : { errors: [{ text: importRefusal(path.relative(pluginDir, args.path), real, realPluginDir)! }] };
  });
}

/** Bare specifiers (npm packages, node built-ins): kept external, pinned to an absolute file path; core files refused. */
function externalizePackages(build: Esbuild.PluginBuild, pluginDir: string) {
  build.onResolve({ filter: /^[^./]/ }, async (args) => {
    if (args.namespace === API_NAMESPACE || args.pluginData === 'aion-skip') return undefined;
    if (args.path.startsWith('node:')) return { path: args.path, external: true };
    for (const resolveDir of [args.resolveDir || pluginDir, ROOT_DIR]) {
      const r = await build.resolve(args.path, { kind: args.kind, resolveDir, pluginData: 'aion-skip' });
      if (r.errors.length || !r.path) continue;
      if (!path.isAbsolute(r.path)) return { path: args.path, external: true }; // a node built-in
      if (inside(CORE_DIR, r.path)) return { errors: [{ text: importRefusal(args.path, r.path, pluginDir)! }] };
      return { path: pathToFileURL(r.path).href, external: true };
    }
    return undefined;
  });
}

/** The esbuild plugin that enforces the host's import rules (see the file comment). */
function aionExternals(pluginDir: string, apiNames: string[]): Esbuild.Plugin {
  return {
    name: 'aion-externals',
    setup(build) {
      shareHostApi(build, apiNames);
      confineToPluginFolder(build, pluginDir);
      externalizePackages(build, pluginDir);
    },
  };
}

/** Writes a file by rename, so a concurrent reader never sees half of it. */
async function writeByRename(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}

/**
 * Writes the bundle and its source map (`<bundle>.map`, sources as absolute paths, without their text) — the map is
 * read only when the plugin's code throws while loading, to name the line in its own sources (error-location.ts).
 */
async function writeBundle(cacheDir: string, fileName: string, outputs: Esbuild.OutputFile[]): Promise<string> {
  await mkdir(cacheDir, { recursive: true });
  const file = entryPath(cacheDir, fileName);
  const map = outputs.find((o) => o.path.endsWith('.map'));
  const code = outputs.find((o) => o !== map)!;
  if (map) {
    const payload = JSON.parse(map.text) as { sources: string[] };
    payload.sources = payload.sources.map((source) => path.resolve(path.dirname(map.path), source));
    await writeByRename(`${file}.map`, JSON.stringify(payload));
  }
  await writeByRename(file, code.text);
  return file;
}

/**
 * Bundle `entry` (index.ts or index.js of a plugin folder) into `cacheDir` as `<name>-<sourceKey>.mjs`, unless that
 * file is already in `cacheDir` or one of `prebuiltDirs` (bundles made by `npm run build`).
 */
export async function bundlePlugin(
  name: string, entry: string, cacheDir: string, apiNames: string[], prebuiltDirs: string[] = [], options: { force?: boolean } = {},
): Promise<BuiltPlugin & { cached: boolean }> {
  const started = performance.now();
  const pluginDir = path.dirname(entry);
  // A built-in unchanged since `npm run build` has its key in the build's record: no reading and hashing at start.
  const key = (options.force ? undefined : await recordedKey(prebuiltDirs, name, pluginDir, keyHeader(apiNames))) ?? (await sourceKey(pluginDir, apiNames));
  const fileName = `${name}-${key}.mjs`;
  for (const dir of options.force ? [] : [cacheDir, ...prebuiltDirs]) {
    const cached = entryPath(dir, fileName);
    if (existsSync(cached)) return { file: cached, hash: key, buildMs: performance.now() - started, cached: true };
  }
  const esbuild = await loadEsbuild();
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    conditions: ['node'],
    logLevel: 'silent',
    // Not written (write: false); the path only places the map's relative sources.
    outfile: path.join(cacheDir, fileName),
    sourcemap: 'external',
    sourcesContent: false,
    plugins: [aionExternals(pluginDir, apiNames)],
  }).catch((error: any) => {
    throw buildError(error, pluginDir);
  });
  const file = await writeBundle(cacheDir, fileName, result.outputFiles);
  return { file, hash: key, buildMs: performance.now() - started, cached: false };
}

/** esbuild's first error as `build failed: file:line:column: text` with the line quoted and a caret under the column. */
export function buildError(error: any, pluginDir: string): PluginBuildError {
  const first = error?.errors?.[0];
  if (!first) return new PluginBuildError(`build failed: ${error?.message ?? error}`);
  const loc = first.location;
  if (!loc) return new PluginBuildError(`build failed: ${first.text}`);
  const abs = path.resolve(ROOT_DIR, loc.file);
  const file = inside(pluginDir, abs) ? path.relative(pluginDir, abs) : path.basename(abs);
  const location: BuildErrorLocation = { file, line: loc.line, column: loc.column + 1, lineText: loc.lineText };
  const located = locatedError('build failed: ', first.text, location);
  return new PluginBuildError(located.message, location);
}

/** Remove a plugin's older bundles (and their source maps) from the cache, keeping `keep`. */
export async function pruneBundles(cacheDir: string, name: string, keep: string): Promise<void> {
  const prefix = `${name}-`;
  for (const f of await readdir(cacheDir).catch(() => [] as string[])) {
    const full = path.join(cacheDir, f);
    if (f.startsWith(prefix) && /^[0-9a-f]{16}\.mjs(\.map)?$/.test(f.slice(prefix.length)) && full !== keep && full !== `${keep}.map`) {
      await rm(path.join(cacheDir, f), { force: true });
    }
  }
}
