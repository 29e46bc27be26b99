/**
 * prom-client's standard process and Node.js metrics (event-loop lag, heap and its spaces, RSS, GC, handles, file
 * descriptors, version), registered file by file instead of through `prom-client/lib/defaultMetrics`: that index also
 * loads its CPU counters' `@opentelemetry/api` (for exemplars this server never enables), ~20 ms of start-up and
 * 0.6 MB of heap (issue #16). The CPU counters keep their names and are collected here from `process.cpuUsage()`.
 */
import type PromClient from 'prom-client';
import counterFile from 'prom-client/lib/counter.js';
import processStartTime from 'prom-client/lib/metrics/processStartTime.js';
import osMemoryHeap from 'prom-client/lib/metrics/osMemoryHeap.js';
import processOpenFileDescriptors from 'prom-client/lib/metrics/processOpenFileDescriptors.js';
import processMaxFileDescriptors from 'prom-client/lib/metrics/processMaxFileDescriptors.js';
import eventLoopLag from 'prom-client/lib/metrics/eventLoopLag.js';
import processResources from 'prom-client/lib/metrics/processResources.js';
import processHandles from 'prom-client/lib/metrics/processHandles.js';
import processRequests from 'prom-client/lib/metrics/processRequests.js';
import heapSizeAndUsed from 'prom-client/lib/metrics/heapSizeAndUsed.js';
import heapSpacesSizeAndUsed from 'prom-client/lib/metrics/heapSpacesSizeAndUsed.js';
import version from 'prom-client/lib/metrics/version.js';
import gc from 'prom-client/lib/metrics/gc.js';

const Counter = counterFile as typeof PromClient.Counter;

type MetricFile = (registry: PromClient.Registry, config: { eventLoopMonitoringPrecision: number }) => void;

/** Every metric of prom-client's `collectDefaultMetrics` but the CPU counters (registered by `processCpu`). */
const METRIC_FILES = [
  processStartTime, osMemoryHeap, processOpenFileDescriptors, processMaxFileDescriptors, eventLoopLag, processResources,
  processHandles, processRequests, heapSizeAndUsed, heapSpacesSizeAndUsed, version, gc,
] as MetricFile[];

export function registerDefaultMetrics(registry: PromClient.Registry, eventLoopMonitoringPrecision: number): void {
  for (const register of METRIC_FILES) register(registry, { eventLoopMonitoringPrecision });
  processCpu(registry);
}

/**
 * `process_cpu_user_seconds_total`, `process_cpu_system_seconds_total` and `process_cpu_seconds_total`: the CPU the
 * process has used since it started, read when the registry is read (start-up included, as other exporters count it).
 */
function processCpu(registry: PromClient.Registry): void {
  const counter = (name: string, help: string, collect?: () => void) => new Counter({ name, help, registers: [registry], ...(collect ? { collect } : {}) });
  const setTo = (c: PromClient.Counter, micros: number) => {
    c.reset();
    c.inc(micros / 1e6);
  };
  // One metric's `collect` sets all three from a single reading, so they always add up.
  const user = counter('process_cpu_user_seconds_total', 'Total user CPU time spent in seconds.', () => {
    const usage = process.cpuUsage();
    setTo(user, usage.user);
    setTo(system, usage.system);
    setTo(total, usage.user + usage.system);
  });
  const system = counter('process_cpu_system_seconds_total', 'Total system CPU time spent in seconds.');
  const total = counter('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.');
}
