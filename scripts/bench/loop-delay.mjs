/**
 * Preload for a server the benches start: measures the event loop's delay (perf_hooks `monitorEventLoopDelay`) and
 * prints `LOOPDELAY p50=… p99=… max=… ms` on stderr at each SIGUSR2 (then starts over), so a bench can tell a loop
 * blocked by synchronous work from requests queued elsewhere (the thread pool, the disk).
 * `NODE_OPTIONS="--import ./scripts/bench/loop-delay.mjs"`.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();
const ms = (ns) => (ns / 1e6).toFixed(1);
process.on('SIGUSR2', () => {
  process.stderr.write(`LOOPDELAY p50=${ms(histogram.percentile(50))} p99=${ms(histogram.percentile(99))} max=${ms(histogram.max)} ms\n`);
  histogram.reset();
});
