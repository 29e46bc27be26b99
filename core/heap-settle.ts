/**
 * Once the server has started and gone quiet, give back the memory start-up used and no request needs: one
 * memory-reducing full collection (V8's "last resort" GC, what `Isolate::LowMemoryNotification` runs), which frees the
 * garbage of loading ~40 bundles and their packages and shrinks the young generation that start-up's allocations grew
 * to its maximum back to its minimum. Measured on the bundled start (issue #16): resident 88 → 82 MB, the young
 * generation 7.3 → 0.3 MB committed, ~40 ms of one collection. Traffic grows the young generation again as it needs.
 *
 * Why a quiet moment: the collection stops the event loop for its ~40 ms, so it waits until no request has been in
 * flight for `quietMs`; a server that is never quiet within `giveUpMs` of its start (a busy one needs its young
 * generation anyway) is left alone. It runs once per process. `HEAP_SETTLE=0` turns it off.
 *
 * V8 offers the collection to JavaScript only through its `gc` extension: turned on for one new context, taken from
 * it, and turned off again, so no other context (a plugin's `vm`, say) sees a `gc` global. Jest's leak detector takes
 * it the same way.
 */
import type http from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';

type GcExtension = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

export interface HeapSettleOptions {
  /** How long no request may have been in flight before collecting (default 300 ms). */
  quietMs?: number;
  /** Stop waiting for a quiet moment this long after start (default 30 s). */
  giveUpMs?: number;
  /** Told what the collection did (or why it did not run). */
  report?: (outcome: HeapSettleOutcome) => void;
  /** The collection itself (tests give their own). */
  collect?: () => void;
}

export type HeapSettleOutcome =
  | { settled: true; ms: number; heapBefore: number; heapAfter: number; rssBefore: number; rssAfter: number }
  | { settled: false; reason: 'busy' | 'unavailable' | 'stopped' };

/** V8's memory-reducing full collection, or undefined where the `gc` extension cannot be had. */
export function lastResortCollector(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as GcExtension;
    return () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  } catch {
    return undefined;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

/**
 * Watch `server` until it has been quiet for `quietMs`, then collect once. Returns a function that stops watching
 * (the server's close calls it). The watch costs one listener on `request` until it is done.
 */
export function settleHeapWhenQuiet(server: http.Server, options: HeapSettleOptions = {}): () => void {
  const quietMs = options.quietMs ?? 300;
  const giveUpAt = performance.now() + (options.giveUpMs ?? 30_000);
  const report = options.report ?? (() => undefined);
  let inFlight = 0;
  let lastActive = performance.now();
  let done = false;

  const finished = () => {
    inFlight--;
    lastActive = performance.now();
  };
  const onRequest = (_req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight++;
    lastActive = performance.now();
    res.once('close', finished);
  };
  const stop = (outcome?: HeapSettleOutcome) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    server.off('request', onRequest);
    report(outcome ?? { settled: false, reason: 'stopped' });
  };
  const check = () => {
    const now = performance.now();
    if (inFlight > 0 || now - lastActive < quietMs) {
      if (now >= giveUpAt) return stop({ settled: false, reason: 'busy' });
      timer = setTimeout(check, Math.max(quietMs - (now - lastActive), 20)).unref();
      return;
    }
    const collect = options.collect ?? lastResortCollector();
    if (!collect) return stop({ settled: false, reason: 'unavailable' });
    const before = process.memoryUsage();
    collect();
    const after = process.memoryUsage();
    stop({ settled: true, ms: performance.now() - now, heapBefore: before.heapTotal, heapAfter: after.heapTotal, rssBefore: before.rss, rssAfter: after.rss });
  };

  server.on('request', onRequest);
  let timer = setTimeout(check, quietMs).unref();
  return () => stop();
}
