/**
 * The in-process search engine, used when ripgrep is absent (or rejects a JS-only regex). Files are walked and read
 * on the main thread; the regex runs in a worker thread, because a user's pathological regex (catastrophic
 * backtracking) would otherwise block the whole server — the worker is simply terminated at the time bound.
 */
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { looksBinary } from './binary.ts';
import { compileGlobs } from './glob.ts';
import { MAX_LINE_CHARS, MAX_SEARCH_FILE_BYTES, joinRel, type EngineRequest, type SearchMatch, type SearchResult } from './search-types.ts';
import { walk, type WalkEntry, type WalkState } from './walk.ts';

/** Bounds of one in-process search. */
export const NODE_SEARCH_LIMITS = { maxFiles: 20000, maxTotalBytes: 256 * 1024 * 1024, maxEntries: 200000, maxDepth: 64 };
/** Text handed to the worker per message: large enough to amortise messaging, small enough to stop promptly. */
const BATCH_BYTES = 2 * 1024 * 1024;
/** Files read concurrently. */
const READ_PARALLEL = 32;

/**
 * The worker's source (inline, so it survives bundling and needs no loader). One match per line, the first one, as
 * the original server did; the context is the neighbouring lines.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const rx = new RegExp(workerData.source, workerData.flags);
const cap = (s) => (s.length > ${MAX_LINE_CHARS} ? s.slice(0, ${MAX_LINE_CHARS}) + '\\u2026' : s);
parentPort.on('message', ({ files, budget }) => {
  const out = [];
  for (const f of files) {
    const lines = f.text.split(/\\r?\\n/);
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    for (let i = 0; i < lines.length && out.length < budget; i++) {
      rx.lastIndex = 0;
      const m = rx.exec(lines[i]);
      if (!m) continue;
      const ctx = [];
      if (i > 0) ctx.push(cap(lines[i - 1]));
      ctx.push(cap(lines[i]));
      if (i + 1 < lines.length) ctx.push(cap(lines[i + 1]));
      out.push({ file: f.rel, line: i + 1, column: m.index + 1, text: cap(lines[i].trim()), context: ctx.join('\\n') });
    }
    if (out.length >= budget) break;
  }
  parentPort.postMessage(out);
});
`;

/** Reads a file if it is a searchable text file; undefined for binaries, unreadable or over-size files. */
async function readText(abs: string): Promise<string | undefined> {
  const fh = await open(abs, 'r').catch(() => undefined);
  if (!fh) return undefined;
  try {
    const { size } = await fh.stat();
    if (size > MAX_SEARCH_FILE_BYTES) return undefined;
    const buf = Buffer.alloc(size);
    let len = 0;
    while (len < size) {
      const { bytesRead } = await fh.read(buf, len, size - len, len);
      if (!bytesRead) break;
      len += bytesRead;
    }
    const bytes = buf.subarray(0, len);
    // Same rule as ripgrep's default: a NUL in the head means binary. Invalid UTF-8 further on is decoded lossily.
    return looksBinary(bytes) ? undefined : bytes.toString('utf8');
  } finally {
    await fh.close();
  }
}

/** Builds the flags-and-source pair; literal queries are escaped so both modes share one code path. */
export function compileQuery(query: string, regex: boolean, caseSensitive: boolean): { source: string; flags: string } {
  const source = regex ? query : query.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return { source, flags: caseSensitive ? '' : 'i' };
}

/** A file read for searching: its result path and its text. */
interface ReadFile {
  rel: string;
  text: string;
}

/** The regex worker of one search: runs batches, and is terminated when the time bound passes. */
interface RegexWorker {
  /** Matches in the batch (at most `budget`); undefined when the worker was terminated or crashed. */
  run(files: ReadFile[], budget: number): Promise<SearchMatch[] | undefined>;
  readonly timedOut: boolean;
  stop(): Promise<void>;
}

function startRegexWorker(source: string, flags: string, timeoutMs: number): RegexWorker {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { source, flags },
    // No inherited loader flags (tsx): the worker is plain JS and should start fast; a heap cap for safety.
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: 256 },
  });
  worker.unref();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void worker.terminate();
  }, timeoutMs);
  const run = (files: ReadFile[], budget: number) =>
    new Promise<SearchMatch[] | undefined>((resolve) => {
      const done = (v: SearchMatch[] | undefined) => {
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        worker.off('error', onExit);
        resolve(v);
      };
      const onMessage = (m: SearchMatch[]) => done(m);
      const onExit = () => done(undefined);
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      worker.on('error', onExit);
      worker.postMessage({ files, budget });
    });
  return {
    run,
    get timedOut() {
      return timedOut;
    },
    stop: async () => {
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}

/**
 * One search's accounting: files are read READ_PARALLEL at a time (I/O latency dominates) into a batch, which goes to
 * the worker once it holds BATCH_BYTES. Results stay in walk order.
 */
class NodeSearchRun {
  readonly matches: SearchMatch[] = [];
  filesSearched = 0;
  /** A file or byte bound stopped the walk. */
  capped = false;
  /** The time limit stopped the walk (the worker's own timer may also have fired). */
  outOfTime = false;
  private bytes = 0;
  private pending: Array<{ abs: string; rel: string }> = [];
  private batch: ReadFile[] = [];
  private batchBytes = 0;

  /** `want` is one more than the results kept: the extra tells "exactly maxResults" from "more". */
  constructor(
    private readonly worker: RegexWorker,
    private readonly want: number,
    private readonly deadline: number,
  ) {}

  /** Searches every file the walk yields, until a bound, the time limit or enough matches stop it. */
  async searchAll(walker: AsyncIterable<WalkEntry>, relStart: string): Promise<void> {
    for await (const entry of walker) {
      if (entry.isDirectory) continue;
      if (this.worker.timedOut || Date.now() > this.deadline) {
        this.outOfTime = true;
        return;
      }
      if (this.overBounds()) {
        this.capped = true;
        break;
      }
      this.pending.push({ abs: entry.abs, rel: joinRel(relStart, entry.rel) });
      if (this.pending.length >= READ_PARALLEL && !(await this.readPending())) return;
    }
    if (this.worker.timedOut) return;
    if (this.pending.length && !(await this.readPending())) return;
    if (!this.worker.timedOut && this.matches.length < this.want) await this.flush();
  }

  private overBounds(): boolean {
    return this.filesSearched + this.pending.length >= NODE_SEARCH_LIMITS.maxFiles || this.bytes >= NODE_SEARCH_LIMITS.maxTotalBytes;
  }

  /** Reads the pending files into the batch; false when the search should stop. */
  private async readPending(): Promise<boolean> {
    const chunk = this.pending;
    this.pending = [];
    const texts = await Promise.all(chunk.map(({ abs }) => readText(abs)));
    chunk.forEach(({ rel }, i) => {
      const text = texts[i];
      if (text === undefined) return;
      this.filesSearched++;
      this.bytes += text.length;
      this.batch.push({ rel, text });
      this.batchBytes += text.length;
    });
    if (this.worker.timedOut) return false;
    return this.batchBytes >= BATCH_BYTES ? this.flush() : true;
  }

  /** Hands the batch to the worker; false when it was terminated or enough matches are in. */
  private async flush(): Promise<boolean> {
    if (!this.batch.length) return true;
    const found = await this.worker.run(this.batch, this.want - this.matches.length);
    this.batch = [];
    this.batchBytes = 0;
    if (!found) return false; // terminated (time bound) or crashed (heap cap)
    this.matches.push(...found);
    return this.matches.length < this.want;
  }
}

/** Runs the in-process engine. The regex must already be validated (`new RegExp` succeeded). */
export async function searchWithNode(req: EngineRequest): Promise<SearchResult> {
  const { source, flags } = compileQuery(req.query, req.regex, req.caseSensitive);
  const include = compileGlobs(req.filePatterns, 'filePatterns');
  const worker = startRegexWorker(source, flags, req.timeoutMs);
  const run = new NodeSearchRun(worker, req.maxResults + 1, Date.now() + req.timeoutMs);
  const state: WalkState = { truncated: false, entriesSeen: 0 };
  try {
    const walkOptions = { maxDepth: NODE_SEARCH_LIMITS.maxDepth, include, maxEntries: NODE_SEARCH_LIMITS.maxEntries, stat: false };
    await run.searchAll(walk(req.start, walkOptions, state), req.relStart);
  } finally {
    await worker.stop();
  }
  const timedOut = worker.timedOut || run.outOfTime;
  const truncated = run.matches.length > req.maxResults || timedOut || run.capped || state.truncated;
  const kept = run.matches.slice(0, req.maxResults);
  return { matches: kept, totalMatches: kept.length, filesSearched: run.filesSearched, truncated, engine: 'node' };
}
