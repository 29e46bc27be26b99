/**
 * A collection as an append-only log `<key>.jsonl`: a header line `{"schemaVersion":N}`, then one record a line —
 * `{"put":{…document}}` or `{"del":"<id>"}`; the last record of an id wins. A write appends the lines of what changed
 * and fsyncs once (no rewrite of the partition, no rename, no folder fsync), so adding a message costs the same at
 * 10 messages as at 10,000. A new log is created in place (one durable write, then its folder's fsync). It is
 * rewritten whole (temp file, fsync, rename) when more than half of it is dead records, after a failed append or
 * creation (which may have left a partial line), and to convert an older `<key>.json` file, which is read when there
 * is no log yet.
 *
 * A last line without its newline is a torn append (never acknowledged): it is cut off with a warning. Any other
 * unreadable line is damage: the log is moved aside unchanged, logged, and what could be read is written back.
 */
import { readFile, rename, rm, truncate } from 'node:fs/promises';
import path from 'node:path';
import type { ReadOptions, ReadResult } from './collection-file.ts';
import { asidePath } from './damage.ts';
import { ensureDirDurable, fsyncDirShared, writeFileDurable } from './durable-file.ts';
import { docJson, JsonFormat, type Change, type CollectionFormat, type StoredState } from './formats.ts';
import { LogHandles } from './log-handles.ts';

interface Parsed<T> {
  schemaVersion: number;
  items: Map<string, T>;
  records: number;
  problems: string[];
  /** Byte offset where a torn last line starts, if there is one. */
  tornAt?: number;
}

function parseLog<T extends { id: string }>(buf: Buffer, isValid?: (doc: unknown) => boolean): Parsed<T> {
  const text = buf.toString('utf8');
  const out: Parsed<T> = { schemaVersion: 0, items: new Map(), records: 0, problems: [] };
  let start = 0;
  let lineNo = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    if (end === -1) {
      out.tornAt = Buffer.byteLength(text.slice(0, start));
      break;
    }
    const line = text.slice(start, end);
    start = end + 1;
    lineNo++;
    if (line.trim() === '') continue;
    let rec: any;
    try {
      rec = JSON.parse(line);
    } catch {
      out.problems.push(`line ${lineNo} is not JSON`);
      continue;
    }
    const put = rec?.put;
    if (lineNo === 1 && rec && typeof rec.schemaVersion === 'number' && put === undefined) out.schemaVersion = rec.schemaVersion;
    else if (put && typeof put === 'object' && !Array.isArray(put) && typeof put.id === 'string' && put.id && (!isValid || isValid(put))) {
      out.items.set(put.id, put);
      out.records++;
    } else if (typeof rec?.del === 'string') {
      out.items.delete(rec.del);
      out.records++;
    } else out.problems.push(`line ${lineNo} is not a record`);
  }
  return out;
}

export class LogFormat<T extends { id: string }> implements CollectionFormat<T> {
  readonly logFile: string;
  private readonly legacy: JsonFormat<T>;
  private records = 0;
  private bytes = 0;
  private fileVersion = -1;
  private rewriteNext = true;
  /**
   * The last read found neither the log nor an older `.json` file: the first write creates the log in place (one
   * durable write and a folder fsync, its handle kept for the appends that follow) instead of a temp file renamed over
   * nothing, and has no older file to remove (issue #16: an empty store's first messages were its slowest).
   */
  private fresh = false;

  /**
   * `jsonFile` is the partition's older single-file name (`<key>.json`); the log is `<key>.jsonl` beside it. `handles`
   * keeps the log open between appends (the store's one set, bounded).
   */
  constructor(readonly jsonFile: string, private readonly handles: LogHandles = new LogHandles(0)) {
    this.logFile = `${jsonFile}l`;
    this.legacy = new JsonFormat<T>(jsonFile);
  }

  async read(opts: ReadOptions): Promise<ReadResult<T>> {
    let buf: Buffer;
    try {
      buf = await readFile(this.logFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.rewriteNext = true; // the first write creates the log (converting an older .json file if there is one)
      const legacy = await this.legacy.read(opts);
      this.fresh = legacy.bytes === 0 && !legacy.damage;
      return legacy;
    }
    this.fresh = false;
    const parsed = parseLog<T>(buf, opts.isValid);
    let bytes = buf.length;
    if (parsed.tornAt !== undefined) {
      opts.log.warn({ file: this.logFile, bytes: buf.length - parsed.tornAt }, 'store: cutting a torn last line off a log');
      await truncate(this.logFile, parsed.tornAt);
      bytes = parsed.tornAt;
    }
    const result: ReadResult<T> = { schemaVersion: parsed.schemaVersion, items: [...parsed.items.values()], bytes };
    this.records = parsed.records;
    this.bytes = bytes;
    this.fileVersion = parsed.schemaVersion;
    this.rewriteNext = false;
    if (parsed.problems.length) {
      const movedTo = asidePath(this.logFile);
      await this.handles.release(this.logFile);
      await rename(this.logFile, movedTo);
      opts.log.error({ file: this.logFile, movedTo, problems: parsed.problems.slice(0, 10) }, 'store file is damaged: moved aside');
      result.damage = { collection: opts.collection, file: this.logFile, movedTo, problems: parsed.problems, asideCopies: [movedTo] };
      result.bytes = await this.rewrite(result);
    }
    return result;
  }

  async write(state: StoredState<T>, changes: Change[]): Promise<number> {
    const compact = this.records + changes.length > 2 * state.items.length + 16;
    if (this.fresh && this.rewriteNext) return this.create(state);
    if (this.rewriteNext || compact || state.schemaVersion !== this.fileVersion || changes.length === 0) return this.rewrite(state);
    const text = changes.map((c) => ('put' in c ? `{"put":${docJson(c.put)}}` : `{"del":${JSON.stringify(c.del)}}`)).join('\n') + '\n';
    try {
      // Append and fdatasync (the file exists: a create or rewrite made it, and its folder fsync made the name durable).
      await this.handles.append(this.logFile, text);
    } catch (error) {
      this.rewriteNext = true; // the append may have left a partial line: the next write replaces the whole file
      throw error;
    }
    this.records += changes.length;
    this.bytes += Buffer.byteLength(text);
    return this.bytes;
  }

  /**
   * Write a log that does not exist yet. A crash part-way leaves no file, an empty one or a torn last line, which a read
   * handles as it does a torn append (nothing of it was acknowledged). Any failure — the name taken after all (EEXIST)
   * included — falls back to the full rewrite, now or on the next write.
   */
  private async create(state: StoredState<T>): Promise<number> {
    this.fresh = false;
    const text = logText(state);
    const dir = path.dirname(this.logFile);
    try {
      try {
        await this.handles.create(this.logFile, text);
      } catch (error) {
        // The folder is new (a user's first conversation with messages): make it, durably, and try again.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        await ensureDirDurable(dir);
        await this.handles.create(this.logFile, text);
      }
      await fsyncDirShared(dir); // the new name itself survives a power cut (one sync for the logs created together)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return this.rewrite(state);
      throw error; // rewriteNext is still set: the next write replaces whatever this left
    }
    return this.written(state, text);
  }

  private async rewrite(state: StoredState<T>): Promise<number> {
    const text = logText(state);
    try {
      await this.handles.release(this.logFile); // the rename below replaces the file the handle writes to
      await writeFileDurable(this.logFile, text);
    } catch (error) {
      this.rewriteNext = true;
      throw error;
    }
    // The log now holds everything: an older single-file form is stale (if a crash keeps it, the log still wins).
    await rm(this.jsonFile, { force: true });
    return this.written(state, text);
  }

  /** Bookkeeping after `text`, the whole of `state`, became the log. */
  private written(state: StoredState<T>, text: string): number {
    this.records = state.items.length;
    this.bytes = Buffer.byteLength(text);
    this.fileVersion = state.schemaVersion;
    this.rewriteNext = false;
    return this.bytes;
  }

  async remove(): Promise<void> {
    await this.handles.release(this.logFile);
    await rm(this.logFile, { force: true });
    await rm(this.jsonFile, { force: true });
    this.rewriteNext = true;
  }
}

/** The whole log for `state`: its header line and one `put` line a document. */
function logText<T extends object>(state: StoredState<T>): string {
  let text = `{"schemaVersion":${state.schemaVersion}}\n`;
  for (const d of state.items) text += `{"put":${docJson(d)}}\n`;
  return text;
}
