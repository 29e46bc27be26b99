/**
 * Find plugin folders: every folder with an `index.ts` or `index.js` under each plugins directory, with the static
 * metadata of its optional `plugin.json` (checked before any code runs).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const Manifest = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/).optional(),
  version: z.string().optional(),
  description: z.string().optional(),
  builtin: z.boolean().optional(),
  required: z.boolean().optional(),
  enabled: z.boolean().optional(),
  api: z.string().optional(),
  provides: z.array(z.string()).optional(),
}).passthrough();

export interface DiscoveredPlugin {
  name: string;
  dir: string;
  entry: string;
  builtin: boolean;
  manifest: z.infer<typeof Manifest>;
  /** Set when plugin.json is invalid: the plugin is listed with this error and not loaded. */
  manifestError?: string;
}

export async function discoverPlugins(dirs: string[], builtinDir: string): Promise<DiscoveredPlugin[]> {
  const found = new Map<string, DiscoveredPlugin>();
  for (const root of dirs) {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(root, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'node_modules') continue;
      const dir = path.join(root, e.name);
      const entry = ['index.ts', 'index.js', 'index.mjs'].map((f) => path.join(dir, f)).find((f) => existsSync(f));
      if (!entry) continue;
      let manifest: z.infer<typeof Manifest> = {};
      let manifestError: string | undefined;
      const manifestFile = path.join(dir, 'plugin.json');
      if (existsSync(manifestFile)) {
        try {
          const parsed = Manifest.safeParse(JSON.parse(await readFile(manifestFile, 'utf8')));
          if (parsed.success) manifest = parsed.data;
          else manifestError = `invalid plugin.json: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`;
        } catch (error) {
          manifestError = `invalid plugin.json: ${(error as Error).message}`;
        }
      }
      const name = manifest.name ?? e.name.toLowerCase().replace(/[^a-z0-9-]/g, '-');
      if (found.has(name)) continue; // the first folder of a name wins: built-ins cannot be shadowed
      found.set(name, { name, dir, entry, builtin: root === builtinDir || manifest.builtin === true, manifest, manifestError });
    }
  }
  return [...found.values()];
}
