/**
 * Open append handles of the store's logs, kept between writes in a bounded least-recently-used set. Opening and
 * closing a log for every message were two of the four thread-pool trips of a message write (open, write, fdatasync,
 * close) and most of its file-system CPU (issue #16's profile of `POST /api/messages`); a log written again finds its
 * handle open, and, opened O_DSYNC, its append is durable in one trip. Durability is unchanged: every append is on
 * disk before it resolves.
 *
 * A handle is tied to one inode, so whoever replaces or removes a log (a rewrite renames a new file over it) must
 * `release` it first. Writes of one log never overlap (the collection serialises them); a handle in use is never
 * closed by the bound, which may then be passed for a moment.
 */
import { constants, readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/**
 * Append-only and O_DSYNC: each write returns once its data (and what is needed to read it back) is on disk, as a
 * write followed by fdatasync would, in one thread-pool trip instead of two.
 */
const DSYNC: number | undefined = constants.O_DSYNC; // not on every platform (Windows): then write + fdatasync
const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | (DSYNC ?? 0);
/** The same, for a log that must not exist yet (`create`): an existing file fails with EEXIST instead of being appended to. */
const CREATE_FLAGS = APPEND_FLAGS | constants.O_CREAT | constants.O_EXCL;

interface Entry {
  handle: Promise<FileHandle>;
  busy: number;
}

/**
 * Most logs held open at once: a quarter of the process's file-descriptor limit (Node raises its soft limit to the hard
 * one at start), at most 8192. The bound must exceed the logs a busy server writes in turn — each user's conversation
 * list and each conversation's messages — or a round of writes over more logs than the bound reopens every one of them
 * (least recently used is always the next one wanted; issue #16's `POST /api/messages` over 1,000 conversations of 100
 * users needed 1,100 against the old fixed 1,024).
 */
export const MAX_OPEN_LOGS = Math.max(64, Math.min(8192, Math.floor(openFileLimit() / 4)));

/** The soft limit on open files (Linux `/proc/self/limits`); 4096 where it cannot be read. */
function openFileLimit(): number {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (line) return line[1] === 'unlimited' ? 1 << 20 : Number(line[1]);
  } catch {
    // not Linux
  }
  return 4096;
}

export class LogHandles {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly max = MAX_OPEN_LOGS) {}

  /** Append `text` to the existing file `file`, durably (O_DSYNC: the same guarantee as write + fdatasync). */
  async append(file: string, text: string): Promise<void> {
    let entry = this.entries.get(file);
    if (entry) this.entries.delete(file); // re-inserted below: most recently used last
    else entry = { handle: open(file, APPEND_FLAGS), busy: 0 };
    return this.writeThrough(file, entry, text);
  }

  /**
   * Create `file` (it must not exist: EEXIST otherwise) holding `text`, durably as `append` is, and keep its handle
   * open for the appends that follow. The file's name is not durable yet: the caller fsyncs its folder.
   */
  async create(file: string, text: string, mode = 0o644): Promise<void> {
    await this.release(file);
    return this.writeThrough(file, { handle: open(file, CREATE_FLAGS, mode), busy: 0 }, text);
  }

  private async writeThrough(file: string, entry: Entry, text: string): Promise<void> {
    this.entries.set(file, entry);
    entry.busy++;
    try {
      const handle = await entry.handle;
      await writeAll(handle, text); // durable when it resolves where the handle is O_DSYNC
      if (DSYNC === undefined) await handle.datasync();
    } catch (error) {
      entry.busy--;
      await this.release(file); // a failed open or append: the next write starts from a fresh handle
      throw error;
    }
    entry.busy--;
    this.trim();
  }

  /** Close the handle of `file`, if open (before the log is replaced, removed or moved aside). */
  async release(file: string): Promise<void> {
    const entry = this.entries.get(file);
    if (!entry) return;
    this.entries.delete(file);
    await closeQuietly(entry.handle);
  }

  /** Close every handle (store shutdown). */
  async closeAll(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => closeQuietly(e.handle)));
  }

  get size(): number {
    return this.entries.size;
  }

  /** Close the least recently used idle handles until the bound holds. */
  private trim(): void {
    if (this.entries.size <= this.max) return;
    for (const [file, entry] of this.entries) {
      if (this.entries.size <= this.max) return;
      if (entry.busy > 0) continue;
      this.entries.delete(file);
      void closeQuietly(entry.handle);
    }
  }
}

/**
 * All of `text` through `write` calls on the append handle: `FileHandle.writeFile` does the same with a layer of
 * chunking, abort and argument checks around each call (a few µs of every message write, issue #16). A short write
 * (a full disk part-way, a signal) continues where it stopped; with O_APPEND each piece lands at the end.
 */
async function writeAll(handle: FileHandle, text: string): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    if (bytesWritten <= 0) throw Object.assign(new Error('store: a log append wrote nothing'), { code: 'EIO' });
    offset += bytesWritten;
  }
}

async function closeQuietly(handle: Promise<FileHandle>): Promise<void> {
  try {
    await (await handle).close();
  } catch {
    // Never opened, or already closed: nothing is held.
  }
}
