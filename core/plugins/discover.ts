/**
 * Find plugin folders: every folder with an `index.ts` or `index.js` under each plugins directory, with the static
 * metadata of its optional `plugin.json` (checked before any code runs).
 *
 * Trust comes from where a folder lives, never from what it says about itself: only folders under the built-in
 * `plugins/` directory are `builtin` (and may be `required`); a `PLUGINS_DIRS` plugin claiming either is not believed.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { entryPath, normalFolder } from '../util/entry-path.ts';
import { byName } from './by-name.ts';
import { parseManifest, type PluginManifest } from './manifest.ts';

export interface DiscoveredPlugin {
  name: string;
  dir: string;
  /** The plugins directory it was found in. */
  root: string;
  entry: string;
  builtin: boolean;
  manifest: PluginManifest;
  /** Set when plugin.json is invalid: the plugin is listed with this error and not loaded. */
  manifestError?: string;
  /** Claims of the manifest that were ignored (logged by the host). */
  ignored: string[];
}

/** The files a plugin folder may start from, in this order. */
const ENTRY_FILES = ['index.ts', 'index.js', 'index.mjs'];

/** Read one folder; `undefined` when it holds no plugin entry. */
export async function readPluginFolder(dir: string, root: string, builtinDir: string): Promise<DiscoveredPlugin | undefined> {
  // Paths by entryPath, not path.join: every folder is read at each start (entry-path.ts says what that cost).
  const entry = ENTRY_FILES.map((f) => entryPath(dir, f)).find((f) => existsSync(f));
  if (!entry) return undefined;
  let manifest: PluginManifest = {};
  let manifestError: string | undefined;
  const manifestFile = entryPath(dir, 'plugin.json');
  if (existsSync(manifestFile)) {
    const parsed = parseManifest(await readFile(manifestFile, 'utf8').catch(() => '{}'));
    if ('manifest' in parsed) manifest = parsed.manifest;
    else manifestError = parsed.error;
  }
  const builtin = root === builtinDir || path.resolve(root) === path.resolve(builtinDir);
  const ignored: string[] = [];
  if (!builtin && manifest.required) ignored.push('required');
  if (!builtin && manifest.builtin) ignored.push('builtin');
  const name = manifest.name ?? path.basename(dir).toLowerCase().replace(/[^a-z0-9-]/g, '-');
  return { name, dir, root, entry, builtin, manifest, manifestError, ignored };
}

export async function discoverPlugins(dirs: string[], builtinDir: string): Promise<DiscoveredPlugin[]> {
  const found = new Map<string, DiscoveredPlugin>();
  for (const root of dirs) {
    const base = normalFolder(root);
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(root, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries.sort(byName)) {
      if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'node_modules') continue;
      const d = await readPluginFolder(entryPath(base, e.name), root, builtinDir);
      if (!d || found.has(d.name)) continue; // the first folder of a name wins: built-ins cannot be shadowed
      found.set(d.name, d);
    }
  }
  return [...found.values()];
}
