/**
 * The source keys `npm run build` computed for the built-in plugins, kept beside their bundles with a fingerprint of
 * each folder (every file's path, size and modification time). A start whose built-in folders still match skips
 * reading and hashing their sources (~25 ms for 38 plugins on a loaded 2-core machine, issue #16); any difference —
 * an edited, added or removed file, another checkout, esbuild or plugin API — falls back to hashing the sources.
 */
import { statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sourceFilesSync } from './source-files.ts';

export const KEYS_FILE = 'source-keys.json';

interface KeysRecord {
  header: string;
  plugins: Record<string, { key: string; fingerprint: string }>;
}

/** Path, size and modification time of every source file of a plugin folder, in `sourceFiles` order (read synchronously: `sourceFilesSync` says why). */
export async function fingerprint(pluginDir: string): Promise<string> {
  return sourceFilesSync(pluginDir).map(({ file, rel }) => {
    const info = statSync(file);
    return `${rel}\0${info.size}\0${info.mtimeMs}`;
  }).join('\n');
}

/** Written by `npm run build` after it prebuilt the bundles into `dir`. */
export async function writeRecordedKeys(dir: string, header: string, built: Array<{ name: string; pluginDir: string; key: string }>): Promise<void> {
  const record: KeysRecord = { header, plugins: {} };
  for (const b of built) record.plugins[b.name] = { key: b.key, fingerprint: await fingerprint(b.pluginDir) };
  await writeFile(path.join(dir, KEYS_FILE), JSON.stringify(record));
}

/** Each record is read once per process (a missing or unreadable one counts as empty). */
const records = new Map<string, Promise<KeysRecord | undefined>>();
const readRecord = (dir: string) => {
  let known = records.get(dir);
  if (!known) {
    known = readFile(path.join(dir, KEYS_FILE), 'utf8').then((text) => JSON.parse(text) as KeysRecord, () => undefined);
    records.set(dir, known);
  }
  return known;
};

/** The recorded key of `name` when a record in one of `dirs` was made for `header` and the folder still matches it. */
export async function recordedKey(dirs: string[], name: string, pluginDir: string, header: string): Promise<string | undefined> {
  let current: string | undefined;
  for (const dir of dirs) {
    const record = await readRecord(dir);
    const entry = record?.header === header ? record.plugins?.[name] : undefined;
    if (!entry || typeof entry.key !== 'string') continue;
    current ??= await fingerprint(pluginDir);
    if (entry.fingerprint === current) return entry.key;
  }
  return undefined;
}
