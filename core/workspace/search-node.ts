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
import { walk, type WalkState } from './walk.ts';

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

/** Runs the in-process engine. The regex must already be validated (`new RegExp` succeeded). */
export async function searchWithNode(req: EngineRequest): Promise<SearchResult> {
  const { source, flags } = compileQuery(req.query, req.regex, req.caseSensitive);
  const include = compileGlobs(req.filePatterns, 'filePatterns');
  const deadline = Date.now() + req.timeoutMs;
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
  }, req.timeoutMs);

  const runBatch = (files: Array<{ rel: string; text: string }>, budget: number) =>
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

  const matches: SearchMatch[] = [];
  const want = req.maxResults + 1; // one extra tells "exactly maxResults" from "more"
  const state: WalkState = { truncated: false, entriesSeen: 0 };
  let filesSearched = 0;
  let bytes = 0;
  let capped = false;
  let batch: Array<{ rel: string; text: string }> = [];
  let batchBytes = 0;
  const flush = async () => {
    if (!batch.length) return true;
    const found = await runBatch(batch, want - matches.length);
    batch = [];
    batchBytes = 0;
    if (!found) return false; // terminated (time bound) or crashed (heap cap)
    matches.push(...found);
    return matches.length < want;
  };
  try {
    const walker = walk(
      req.start,
      { maxDepth: NODE_SEARCH_LIMITS.maxDepth, include, maxEntries: NODE_SEARCH_LIMITS.maxEntries, stat: false },
      state,
    );
    // Files are opened READ_PARALLEL at a time (I/O latency dominates), results kept in walk order.
    let pending: string[][] = [];
    const drain = async (): Promise<boolean> => {
      const texts = await Promise.all(pending.map(([abs]) => readText(abs)));
      const chunk = pending;
      pending = [];
      for (let i = 0; i < chunk.length; i++) {
        const text = texts[i];
        if (text === undefined) continue;
        filesSearched++;
        bytes += text.length;
        batch.push({ rel: chunk[i][1], text });
        batchBytes += text.length;
      }
      if (batchBytes >= BATCH_BYTES) return flush();
      return true;
    };
    let go = true;
    for await (const entry of walker) {
      if (entry.isDirectory) continue;
      if (timedOut || Date.now() > deadline) {
        timedOut = true;
        go = false;
        break;
      }
      if (filesSearched + pending.length >= NODE_SEARCH_LIMITS.maxFiles || bytes >= NODE_SEARCH_LIMITS.maxTotalBytes) {
        capped = true;
        break;
      }
      pending.push([entry.abs, joinRel(req.relStart, entry.rel)]);
      if (pending.length >= READ_PARALLEL && !(go = await drain())) break;
    }
    if (go && !timedOut && pending.length) go = await drain();
    if (go && !timedOut && matches.length < want) await flush();
  } finally {
    clearTimeout(timer);
    await worker.terminate();
  }
  const truncated = matches.length > req.maxResults || timedOut || capped || state.truncated;
  const kept = matches.slice(0, req.maxResults);
  return { matches: kept, totalMatches: kept.length, filesSearched, truncated, engine: 'node' };
}
