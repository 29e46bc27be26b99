/**
 * A lowdb adapter that makes a write durable before it resolves: write a unique temp file, fsync it, rename it over
 * the target, fsync the folder. lowdb's own JSONFile (steno) renames without fsync, so a power cut can lose an
 * acknowledged write; this one cannot.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';

/**
 * Make sure `dir` exists, durably: a folder this call creates is only a name in its parent until the parent is
 * fsynced, so a power cut could take the folder — and every file later made durable inside it — away. Each parent of a
 * newly created folder is fsynced (deepest first); a folder that already existed costs one `mkdir`.
 */
export function ensureDirDurable(dir: string): Promise<void> {
  // Callers that find the same folder missing at once (a new user's first logs) share one mkdir and its fsyncs.
  let made = dirsBeingMade.get(dir);
  if (!made) {
    made = makeDirDurable(dir).finally(() => dirsBeingMade.delete(dir));
    dirsBeingMade.set(dir, made);
  }
  return made;
}

const dirsBeingMade = new Map<string, Promise<void>>();

async function makeDirDurable(dir: string): Promise<void> {
  const created = await mkdir(dir, { recursive: true });
  if (created === undefined) return;
  const first = path.resolve(created);
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    await fsyncDir(path.dirname(d));
    if (d === first || path.dirname(d) === d) return;
  }
}

/** Write `text` to `file` atomically and durably. */
export async function writeFileDurable(file: string, text: string | Uint8Array, mode = 0o644): Promise<void> {
  const dir = path.dirname(file);
  await ensureDirDurable(dir);
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'w', mode);
  try {
    await handle.writeFile(text);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await fsyncDir(dir);
}

/** fsync a folder, so a rename or a new file in it survives a power cut. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is still atomic there.
  } finally {
    await handle?.close();
  }
}

/**
 * fsync of a folder shared by the callers that need one at about the same time (several new logs of one user): a call
 * joins a sync that has not started yet, else starts one — or, while one is on its way (it may have begun before the
 * caller's change), queues the next. Each caller's promise resolves after a sync that began after its call.
 */
const folderSyncs = new Map<string, { running?: Promise<void>; queued?: Promise<void> }>();

export function fsyncDirShared(dir: string): Promise<void> {
  let state = folderSyncs.get(dir);
  if (!state) folderSyncs.set(dir, (state = {}));
  const s = state;
  if (s.queued) return s.queued;
  const run = (): Promise<void> => {
    const p = fsyncDir(dir).finally(() => {
      if (s.running === p) s.running = undefined;
      if (!s.running && !s.queued) folderSyncs.delete(dir);
    });
    s.running = p;
    return p;
  };
  if (!s.running) return run();
  s.queued = s.running.then(() => {
    s.queued = undefined;
    return run();
  });
  return s.queued;
}

/** Thrown by `read()` when the file exists but is not valid JSON. */
export class CorruptFileError extends Error {
  constructor(readonly file: string, cause: unknown) {
    super(`corrupt store file ${file}: ${(cause as Error)?.message ?? cause}`);
    this.name = 'CorruptFileError';
  }
}

/** lowdb adapter over one JSON file, durable on write. */
export class DurableJSONFile<T> implements Adapter<T> {
  constructor(readonly file: string) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new CorruptFileError(this.file, error);
    }
  }

  /** The file's text, or `null` when there is no file. */
  async readText(): Promise<string | null> {
    try {
      return await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async write(data: T): Promise<void> {
    await writeFileDurable(this.file, JSON.stringify(data));
  }

  /** Write text that is already the file's JSON. */
  async writeText(text: string): Promise<void> {
    await writeFileDurable(this.file, text);
  }
}
