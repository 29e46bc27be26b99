/**
 * Preload for benches: every garbage collection pause of the server goes to stderr as `GCPAUSE <kind> <ms>`
 * (`--trace-gc` is not allowed in NODE_OPTIONS, `--import` is). Bench scripts read these lines off the server's output.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';

const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) process.stderr.write(`GCPAUSE ${KINDS[e.detail?.kind] ?? 'other'} ${e.duration.toFixed(2)}\n`);
}).observe({ entryTypes: ['gc'] });
