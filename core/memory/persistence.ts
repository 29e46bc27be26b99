/**
 * On-disk form of the memory store, one partition per user in `DATA_DIR/memory/`:
 *
 * - `<user>.jsonl` — append-only log, one JSON record a line: `{"t":"put","e":{…entry}}` or `{"t":"del","id":"…"}`.
 * - `<user>.vec` — append-only binary side file of vectors: records `[u32 length][u32 crc32][payload]`, payload
 *   `[u16 idBytes][id][u16 embedderBytes][embedder][u32 dims][f32 × dims]` (little endian). The last record of an id
 *   wins; a vector is used only if its embedder matches the entry's `embedder`, so the two files never need to agree
 *   on order and a crash between their writes is harmless (the entry is just re-embedded).
 *
 * Writes are group-committed: appends that arrive while a flush is running are written together by the next flush,
 * with one `fdatasync` per file, and every promise resolves only after its data is on disk. Compaction rewrites both
 * files from the in-memory state (temp file, fsync, rename, fsync folder) when the log is mostly dead records.
 *
 * A torn tail (a last line or record cut short by a crash — never acknowledged) is cut off with a warning. Anything
 * else unreadable makes the file corrupt: it is renamed to `<file>.corrupt-<time>`, logged, and what could be read is
 * written back as a fresh file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, truncate, unlink } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { Logger } from 'pino';
import type { MemoryEntry } from '../plugin-api/types.ts';
import { fsyncDir, writeFileDurable } from '../store/durable-file.ts';

/** One log record. */
export type LogRecord = { t: 'put'; e: MemoryEntry } | { t: 'del'; id: string };

/** A stored vector with the embedder that made it. */
export interface StoredVector {
  embedder: string;
  vector: Float32Array;
}

/** What reading one user's partition gives. */
export interface PartitionData {
  entries: Map<string, MemoryEntry>;
  vectors: Map<string, StoredVector>;
  /** Records in the log (live + dead), for the compaction heuristic. */
  records: number;
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** File-name stem for a user id: the id itself when it is plain, else `~` + base64url. */
export function encodeUserId(userId: string): string {
  return SAFE_ID.test(userId) ? userId : '~' + Buffer.from(userId, 'utf8').toString('base64url');
}

/** Inverse of `encodeUserId`. */
export function decodeUserId(stem: string): string {
  return stem.startsWith('~') ? Buffer.from(stem.slice(1), 'base64url').toString('utf8') : stem;
}

/** Encode one vector record (header included). */
export function encodeVectorRecord(id: string, embedder: string, vector: Float32Array): Buffer {
  const idBytes = Buffer.from(id, 'utf8');
  const embBytes = Buffer.from(embedder, 'utf8');
  const payloadLength = 2 + idBytes.length + 2 + embBytes.length + 4 + vector.length * 4;
  const buf = Buffer.allocUnsafe(8 + payloadLength);
  let o = 8;
  buf.writeUInt16LE(idBytes.length, o);
  o += 2;
  idBytes.copy(buf, o);
  o += idBytes.length;
  buf.writeUInt16LE(embBytes.length, o);
  o += 2;
  embBytes.copy(buf, o);
  o += embBytes.length;
  buf.writeUInt32LE(vector.length, o);
  o += 4;
  Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).copy(buf, o);
  buf.writeUInt32LE(payloadLength, 0);
  buf.writeUInt32LE(crc32(buf.subarray(8)), 4);
  return buf;
}

/** Result of parsing a vector file: records read, the byte length that parsed, and whether the rest is bad. */
interface VectorParse {
  vectors: Map<string, StoredVector>;
  goodBytes: number;
  /** `torn`: the last record is cut short (crash mid-write); `corrupt`: a bad record before the end. */
  problem: 'none' | 'torn' | 'corrupt';
}

function parseVectorFile(buf: Buffer): VectorParse {
  const vectors = new Map<string, StoredVector>();
  // Every vector is a view into one slab, copied into it record by record: a Float32Array of its own per vector was
  // 100k ArrayBuffers with backing stores at a 100k-entry restart (allocation and their GC: a fifth of the load). The
  // vectors' bytes fit the file's, so one allocation of its size holds them all; the slab lives as long as a view.
  const slab = new Float32Array(Math.floor(buf.length / 4));
  const slabBytes = new Uint8Array(slab.buffer);
  let used = 0;
  let o = 0;
  while (o < buf.length) {
    if (o + 8 > buf.length) return { vectors, goodBytes: o, problem: 'torn' };
    const length = buf.readUInt32LE(o);
    const crc = buf.readUInt32LE(o + 4);
    if (o + 8 + length > buf.length) {
      // A length running past the end is a torn tail only if nothing follows that could be a record.
      return { vectors, goodBytes: o, problem: length < 1 << 24 ? 'torn' : 'corrupt' };
    }
    const payload = buf.subarray(o + 8, o + 8 + length);
    if (crc32(payload) !== crc) return { vectors, goodBytes: o, problem: o + 8 + length === buf.length ? 'torn' : 'corrupt' };
    let p = 0;
    const idLength = payload.readUInt16LE(p);
    p += 2;
    const id = payload.toString('utf8', p, p + idLength);
    p += idLength;
    const embLength = payload.readUInt16LE(p);
    p += 2;
    const embedder = payload.toString('utf8', p, p + embLength);
    p += embLength;
    const dims = payload.readUInt32LE(p);
    p += 4;
    // (A record whose dims overrun it keeps its zeros past the payload, as before; one that cannot fit the slab, which
    // only such a record could, gets an array of its own.)
    const vector = used + dims <= slab.length ? slab.subarray(used, used + dims) : new Float32Array(dims);
    const bytes = vector.buffer === slab.buffer ? slabBytes : new Uint8Array(vector.buffer);
    buf.copy(bytes, vector.byteOffset, o + 8 + p, o + 8 + Math.min(length, p + dims * 4));
    if (vector.buffer === slab.buffer) used += dims;
    vectors.set(id, { embedder, vector });
    o += 8 + length;
  }
  return { vectors, goodBytes: o, problem: 'none' };
}

/** A log line as a record, or undefined when it is not one. */
function parseLogLine(line: string): LogRecord | undefined {
  let record: LogRecord | undefined;
  try {
    record = JSON.parse(line) as LogRecord;
  } catch {
    return undefined;
  }
  if (record?.t === 'put' && record.e && typeof record.e.id === 'string') return record;
  if (record?.t === 'del' && typeof record.id === 'string') return record;
  return undefined;
}

type QueueItem =
  | { kind: 'append'; lines: string; vectors: Buffer | null; apply: () => void; resolve: () => void; reject: (e: unknown) => void }
  | { kind: 'job'; run: () => Promise<void>; resolve: () => void; reject: (e: unknown) => void };

/** One user's files and their group-commit writer. */
export class UserPartition {
  readonly logFile: string;
  readonly vecFile: string;
  /** Records in the log file (live + dead). */
  records = 0;
  private queue: QueueItem[] = [];
  private running = false;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};

  constructor(
    readonly dir: string,
    readonly userId: string,
    private readonly log: Logger,
  ) {
    const stem = encodeUserId(userId);
    this.logFile = path.join(dir, `${stem}.jsonl`);
    this.vecFile = path.join(dir, `${stem}.vec`);
  }

  /** Read the partition; repairs torn tails and moves corrupt files aside (salvaging what parses). */
  async read(): Promise<PartitionData> {
    // The vector file is read from disk while the log is parsed (at 100k entries both reads left the loop idle).
    const vecBytes = readOptional(this.vecFile);
    vecBytes.catch(() => {}); // awaited below; a failure of the log's read must not leave it unhandled
    const log = await this.readLog();
    const vec = await this.readVectors(await vecBytes);
    const { entries } = log;
    // Drop vectors of entries that no longer exist.
    for (const id of vec.vectors.keys()) if (!entries.has(id)) vec.vectors.delete(id);
    let records = log.records;
    if (log.corrupt || vec.corrupt) {
      await this.salvage(log.corrupt, vec.corrupt, entries, vec.vectors);
      records = entries.size;
    }
    this.records = records;
    return { entries, vectors: vec.vectors, records };
  }

  /** Replay the log: puts and deletes in order; a torn last line is cut off, other bad lines mark it corrupt. */
  private async readLog(): Promise<{ entries: Map<string, MemoryEntry>; records: number; corrupt: boolean }> {
    const entries = new Map<string, MemoryEntry>();
    let records = 0;
    let corrupt = false;
    const text = await readOptional(this.logFile);
    if (text === null) return { entries, records, corrupt };
    const s = text.toString('utf8');
    let start = 0;
    let lineNo = 0;
    while (start < s.length) {
      let end = s.indexOf('\n', start);
      const torn = end === -1;
      if (torn) end = s.length;
      lineNo++;
      const line = s.slice(start, end);
      if (line.trim() !== '') {
        const record = parseLogLine(line);
        if (torn) await this.handleTornLog(Buffer.byteLength(s.slice(0, start)), lineNo);
        else if (record?.t === 'put') {
          record.e.userId = this.userId;
          entries.set(record.e.id, record.e);
          records++;
        } else if (record?.t === 'del') {
          entries.delete(record.id);
          records++;
        } else {
          if (!corrupt) this.log.error({ file: this.logFile, line: lineNo }, 'memory: unreadable record in log');
          corrupt = true;
        }
      }
      start = end + 1;
    }
    return { entries, records, corrupt };
  }

  /** Read the vector file; a torn tail is cut off, a bad record before the end marks it corrupt. */
  private async readVectors(buf: Buffer | null): Promise<{ vectors: Map<string, StoredVector>; corrupt: boolean }> {
    if (buf === null) return { vectors: new Map(), corrupt: false };
    const parsed = parseVectorFile(buf);
    if (parsed.problem === 'torn') {
      this.log.warn({ file: this.vecFile, bytes: buf.length - parsed.goodBytes }, 'memory: cutting a torn tail off the vector file');
      await truncate(this.vecFile, parsed.goodBytes);
    } else if (parsed.problem === 'corrupt') {
      this.log.error({ file: this.vecFile, at: parsed.goodBytes }, 'memory: corrupt vector file');
    }
    return { vectors: parsed.vectors, corrupt: parsed.problem === 'corrupt' };
  }

  /** Move corrupt files aside and write what could be read back as fresh files. */
  private async salvage(logCorrupt: boolean, vecCorrupt: boolean, entries: Map<string, MemoryEntry>, vectors: Map<string, StoredVector>): Promise<void> {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    for (const [bad, file] of [[logCorrupt, this.logFile], [vecCorrupt, this.vecFile]] as const) {
      if (!bad) continue;
      const aside = `${file}.corrupt-${stamp}`;
      await rename(file, aside);
      this.log.error({ file, movedTo: aside }, 'memory: corrupt file moved aside; salvaged records are kept');
    }
    await this.rewrite(entries.values(), (id) => vectors.get(id));
  }

  private async handleTornLog(goodBytes: number, lineNo: number): Promise<void> {
    this.log.warn({ file: this.logFile, line: lineNo }, 'memory: cutting a torn last line off the log');
    await truncate(this.logFile, goodBytes);
  }

  /**
   * Append records (and vector records) durably. `apply` runs right after the data is on disk, in append order,
   * before any later job (compaction) starts — so in-memory state always equals what is on disk plus the queue.
   */
  append(records: LogRecord[], vectors: Buffer[], apply: () => void): Promise<void> {
    const lines = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    return new Promise((resolve, reject) => {
      this.queue.push({
        kind: 'append',
        lines,
        vectors: vectors.length === 0 ? null : vectors.length === 1 ? vectors[0]! : Buffer.concat(vectors),
        apply: () => {
          this.records += records.length;
          apply();
        },
        resolve,
        reject,
      });
      this.kick();
    });
  }

  /** Run `fn` alone in the write queue (after everything queued before it). */
  exclusive(fn: () => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: 'job', run: fn, resolve, reject });
      this.kick();
    });
  }

  /** Resolves when the queue is empty. */
  drained(): Promise<void> {
    return this.running ? this.idle : Promise.resolve();
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    this.idle = new Promise((r) => (this.markIdle = r));
    void this.drain();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.kind === 'job') {
        this.queue.shift();
        try {
          await head.run();
          head.resolve();
        } catch (error) {
          head.reject(error);
        }
        continue;
      }
      let n = 0;
      while (n < this.queue.length && this.queue[n]!.kind === 'append') n++;
      const batch = this.queue.splice(0, n) as Array<Extract<QueueItem, { kind: 'append' }>>;
      try {
        const vecParts = batch.flatMap((b) => (b.vectors ? [b.vectors] : []));
        await Promise.all([
          appendDurable(this.logFile, batch.map((b) => b.lines).join('')),
          vecParts.length > 0 ? appendDurable(this.vecFile, Buffer.concat(vecParts)) : undefined,
        ]);
      } catch (error) {
        this.log.error({ err: error, file: this.logFile }, 'memory: write failed');
        for (const b of batch) b.reject(error);
        continue;
      }
      for (const b of batch) {
        try {
          b.apply();
        } catch (error) {
          this.log.error({ err: error }, 'memory: applying a write failed');
        }
        b.resolve();
      }
    }
    this.running = false;
    this.markIdle();
  }

  /**
   * Rewrite both files from a full state (compaction, clear, salvage). Vector file first: if a crash leaves the old
   * log with the new vector file, every live entry still finds its vector.
   */
  async rewrite(entries: Iterable<MemoryEntry>, vectorOf: (id: string) => StoredVector | undefined): Promise<void> {
    const lines: string[] = [];
    const vecParts: Buffer[] = [];
    let n = 0;
    for (const e of entries) {
      lines.push(JSON.stringify({ t: 'put', e } satisfies LogRecord));
      const v = vectorOf(e.id);
      if (v) vecParts.push(encodeVectorRecord(e.id, v.embedder, v.vector));
      n++;
    }
    await writeFileDurable(this.vecFile, Buffer.concat(vecParts));
    await writeFileDurable(this.logFile, lines.length ? lines.join('\n') + '\n' : '');
    this.records = n;
  }

  /** Remove both files (after `clear`). */
  async remove(): Promise<void> {
    await unlink(this.vecFile).catch(ignoreMissing);
    await unlink(this.logFile).catch(ignoreMissing);
    dirsSynced.delete(this.vecFile);
    dirsSynced.delete(this.logFile);
    await fsyncDir(this.dir);
    this.records = 0;
  }
}

/** User ids that have a partition in `dir`. */
export async function listPartitions(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const names = await readdir(dir);
  return names.filter((n) => n.endsWith('.jsonl')).map((n) => decodeUserId(n.slice(0, -'.jsonl'.length)));
}

const dirsSynced = new Set<string>();

async function appendDurable(file: string, data: string | Buffer): Promise<void> {
  let created = false;
  if (!dirsSynced.has(file)) {
    created = await stat(file).then(() => false, () => true);
    if (created) await mkdir(path.dirname(file), { recursive: true });
  }
  const handle = await open(file, 'a');
  try {
    await handle.writeFile(data);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  if (created) await fsyncDir(path.dirname(file));
  dirsSynced.add(file);
}

async function readOptional(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
