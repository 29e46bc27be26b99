/**
 * A short in-memory history of the host's figures for the panel's time-series charts: every few seconds (default
 * 5 s, `SYSTEM_METRICS_SAMPLE_MS`) one sample of CPU %, memory %, process RSS and event-loop lag (mean and max since
 * the previous sample); the newest 720 are kept (an hour at the default rate). Nothing is stored on disk.
 */
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { PluginContext } from '../../core/plugin-api/index.ts';
import { CpuSampler } from './cpu.ts';
import type { Sample } from './sample.ts';

const KEEP = 720;
const round2 = (n: number) => Math.round(n * 100) / 100;

export function sampleInterval(env = process.env.SYSTEM_METRICS_SAMPLE_MS): number {
  const n = Number(env);
  return Number.isFinite(n) && n >= 100 ? Math.min(n, 600_000) : 5_000;
}

export class MetricsHistory {
  private readonly samples: Sample[] = [];
  private readonly cpu = new CpuSampler();
  private readonly lag = monitorEventLoopDelay({ resolution: 20 });

  constructor(private readonly ctx: PluginContext) {}

  start(everyMs = sampleInterval()): void {
    this.lag.enable();
    this.ctx.onUnload(() => this.lag.disable());
    void this.sample();
    this.ctx.timers.setInterval(() => this.sample(), everyMs);
  }

  private async sample(): Promise<void> {
    const cpu = await this.cpu.usage();
    const total = os.totalmem();
    // The histogram is in nanoseconds; an empty one (no tick yet) reads NaN for the mean.
    const mean = this.lag.count ? this.lag.mean / 1e6 : 0;
    const max = this.lag.count ? this.lag.max / 1e6 : 0;
    this.lag.reset();
    this.samples.push({ ts: Date.now(), cpu, memory: round2(((total - os.freemem()) / total) * 100), rss: process.memoryUsage.rss(), lagMeanMs: round2(mean), lagMaxMs: round2(max) });
    if (this.samples.length > KEEP) this.samples.splice(0, this.samples.length - KEEP);
  }

  list(): Sample[] {
    return [...this.samples];
  }
}
