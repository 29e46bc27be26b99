import { readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { entryPath, normalFolder } from '../util/entry-path.ts';
import { byName } from './by-name.ts';

/** A source file: its path, and its path inside the plugin folder (`path.relative(pluginDir, file)`, `/`-separated). */
export interface SourceFile {
  file: string;
  rel: string;
}

/**
 * A plugin folder's source files, in a fixed order (node_modules and dot files left out): what a source key covers.
 * Paths are put together from the entries' names (`entryPath`, and the relative path alongside) rather than joined
 * and made relative again: a start walks every built-in folder (entry-path.ts says what those calls cost).
 */
export async function sourceFiles(pluginDir: string): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  const walk = async (dir: string, relDir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort(byName);
    for (const e of entries) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = entryPath(dir, e.name);
      const rel = relDir ? `${relDir}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(p, rel);
      else if (e.isFile()) files.push({ file: p, rel });
    }
  };
  await walk(normalFolder(pluginDir), '');
  return files;
}

/**
 * The same list, read synchronously: for the start's check of each built-in folder against its recorded fingerprint
 * (prebuilt-keys.ts), where a few hundred small directory reads and stats as promises cost ~40 % more CPU than the
 * calls themselves, and nothing else waits on the event loop yet. A reload checks one folder of a few files.
 */
export function sourceFilesSync(pluginDir: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string, relDir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort(byName)) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = entryPath(dir, e.name);
      const rel = relDir ? `${relDir}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p, rel);
      else if (e.isFile()) files.push({ file: p, rel });
    }
  };
  walk(normalFolder(pluginDir), '');
  return files;
}
