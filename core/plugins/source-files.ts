import { readdirSync } from 'node:fs';
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

/**
 * The same list, read synchronously: for the start's check of each built-in folder against its recorded fingerprint
 * (prebuilt-keys.ts), where a few hundred small directory reads and stats as promises cost ~40 % more CPU than the
 * calls themselves, and nothing else waits on the event loop yet. A reload checks one folder of a few files.
 */
export function sourceFilesSync(pluginDir: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort(byName)) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) files.push(p);
    }
  };
  walk(pluginDir);
  return files;
}
