import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { byName } from './by-name.ts';

/** A plugin folder's source files, in a fixed order (node_modules and dot files left out): what a source key covers. */
export async function sourceFiles(pluginDir: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort(byName);
    for (const e of entries) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) files.push(p);
    }
  };
  await walk(pluginDir);
  return files;
}
