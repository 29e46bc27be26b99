/**
 * Temp files left by interrupted writes. `writeFileDurable` writes `.<name>.<12 hex>.tmp` beside its target and renames
 * it over the target; a crash between the two leaves the temp file behind forever. At start they are removed — only
 * files of exactly that pattern and older than this process, so a write already running is never touched.
 */
import { readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { entryPath } from '../util/entry-path.ts';

const TEMP = /^\..+\.[0-9a-f]{12}\.tmp$/;

/**
 * Remove stale temp files in `dir` (and its subfolders when `recursive`; only those of the file named `onlyFor` when
 * given); returns the paths removed.
 */
export async function removeStaleTempFiles(dir: string, opts: { recursive: boolean; olderThan: number; onlyFor?: string }): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return; // a missing folder has nothing to clean
    }
    const subdirs: string[] = [];
    for (const e of entries) {
      const full = entryPath(d, e.name);
      if (e.isDirectory()) {
        if (opts.recursive) subdirs.push(full);
      } else if (e.isFile() && TEMP.test(e.name) && (!opts.onlyFor || e.name.startsWith(`.${opts.onlyFor}.`))) {
        const s = await stat(full).catch(() => undefined);
        if (s && s.mtimeMs < opts.olderThan && (await unlink(full).then(() => true, () => false))) removed.push(full);
      }
    }
    await Promise.all(subdirs.map(walk));
  };
  await walk(dir);
  return removed;
}

/**
 * On a `DATA_DIR` shared by several instances (PostgreSQL driver), a temp file older than this process may be a write
 * another live instance is doing right now: only one untouched this long is left over (a write renames its temp file
 * within milliseconds; ten minutes also covers a stalled disk).
 */
export const SHARED_STALE_TEMP_MS = 10 * 60_000;

/**
 * Clean what interrupted writes left in the places the server writes durably: the store (all folders), the memory
 * folder, `DATA_DIR` itself (the JWT secret) and the keys file's folder (only the keys file's own temp files).
 * `shared`: other instances write the same folder, so only temp files older than `SHARED_STALE_TEMP_MS` go.
 */
export async function cleanInterruptedWrites(
  dataDir: string,
  envFile: string,
  startedAt: number,
  log: { warn(obj: object, msg: string): void },
  opts: { shared?: boolean } = {},
): Promise<number> {
  const olderThan = opts.shared ? Math.min(startedAt, Date.now() - SHARED_STALE_TEMP_MS) : startedAt;
  const removed = (
    await Promise.all([
      removeStaleTempFiles(path.join(dataDir, 'store'), { recursive: true, olderThan }),
      removeStaleTempFiles(path.join(dataDir, 'memory'), { recursive: false, olderThan }),
      removeStaleTempFiles(dataDir, { recursive: false, olderThan }),
      removeStaleTempFiles(path.dirname(envFile), { recursive: false, olderThan, onlyFor: path.basename(envFile) }),
    ])
  ).flat();
  if (removed.length) log.warn({ files: removed.length, example: removed[0] }, 'removed temp files left by interrupted writes');
  return removed.length;
}
