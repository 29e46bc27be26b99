/**
 * Preload for benches: where a server's memory is at its peak RSS. Samples every `MEM_TRACE_MS` (20 ms) and keeps the
 * breakdown of the highest RSS seen (V8 heap spaces, external, array buffers; the rest of RSS is native memory and
 * code), plus a coarse timeline and the GC count by kind; written as JSON to `MEM_TRACE_FILE.<pid>` at exit. With
 * `HEAP_SAMPLE_FILE` it also records a sampling heap profile that includes collected objects (allocation volume, not
 * what is live), written to `HEAP_SAMPLE_FILE.<pid>.heapprofile` at exit: what the burst allocates, by stack
 * (`HEAP_SAMPLE_ON_SIGNAL=1`: from the first SIGUSR2 on).
 * `NODE_OPTIONS="--import ./scripts/bench/mem-trace.mjs" MEM_TRACE_FILE=/tmp/m`.
 */
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import v8 from 'node:v8';

const MB = 1024 * 1024;
const out = process.env.MEM_TRACE_FILE;
const sampleFile = process.env.HEAP_SAMPLE_FILE;
const every = Number(process.env.MEM_TRACE_MS ?? 20);
const t0 = performance.now();
let peak = { rss: 0 };
const timeline = [];
const gcs = {};
const KINDS = { [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb' };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const k = KINDS[e.detail?.kind] ?? 'other';
    const g = (gcs[k] ??= { n: 0, ms: 0 });
    g.n++;
    g.ms += e.duration;
  }
}).observe({ entryTypes: ['gc'] });

const snapshot = () => {
  const m = process.memoryUsage();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, +(s.physical_space_size / MB).toFixed(1)]));
  return { t: Math.round(performance.now() - t0), rss: +(m.rss / MB).toFixed(1), heapTotal: +(m.heapTotal / MB).toFixed(1), heapUsed: +(m.heapUsed / MB).toFixed(1), external: +(m.external / MB).toFixed(1), arrayBuffers: +(m.arrayBuffers / MB).toFixed(1), spaces };
};
let n = 0;
const timer = setInterval(() => {
  const rss = process.memoryUsage.rss() / MB;
  if (rss > peak.rss) peak = snapshot();
  if (++n % 5 === 0) {
    const s = snapshot();
    timeline.push([s.t, s.rss, s.heapTotal, s.heapUsed, s.external]);
  }
}, every);
timer.unref();

let session;
if (sampleFile) {
  session = new Session();
  session.connect();
  const start = () => session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  // `HEAP_SAMPLE_ON_SIGNAL=1`: from the first SIGUSR2 on (a bench's measured phase), so start-up stays out of it.
  if (process.env.HEAP_SAMPLE_ON_SIGNAL) process.once('SIGUSR2', start);
  else start();
}
process.on('exit', () => {
  if (out) writeFileSync(`${out}.${process.pid}`, JSON.stringify({ peak, gcs, timeline }));
  session?.post('HeapProfiler.stopSampling', (err, r) => {
    if (!err) writeFileSync(`${sampleFile}.${process.pid}.heapprofile`, JSON.stringify(r.profile));
  });
});
