/**
 * `GET /api/system/metrics` (`alin-api.md` → System): CPU, memory, GPU, uptime and platform of the host; with
 * `?history=1` also `history`, the recent samples of CPU, memory and event-loop lag (history.ts) for the panel's charts.
 * (`/api/health` is served by aion-control.)
 */
import os from 'node:os';
import { z } from 'zod';
import { definePlugin } from '../../core/plugin-api/index.ts';
import { CpuSampler } from './cpu.ts';
import { GpuReader } from './gpu.ts';
import { MetricsHistory } from './history.ts';

const round2 = (n: number) => Math.round(n * 100) / 100;

export default definePlugin({
  name: 'alin-system',
  version: '1.0.0',
  description: 'ALIN system metrics: CPU, memory, GPU',
  setup(ctx) {
    const cpu = new CpuSampler();
    const gpu = new GpuReader();
    const history = new MetricsHistory(ctx);
    history.start();

    ctx.routes.get('/system/metrics', {
      summary: 'CPU, memory and GPU figures of the host (?history=1 adds the recent samples)',
      query: z.object({ history: z.enum(['0', '1', 'true', 'false']).optional() }),
    }, async (_c, { query }) => {
      const [usage, gpus] = await Promise.all([cpu.usage(), gpu.read()]);
      const cpus = os.cpus();
      const total = os.totalmem();
      const free = os.freemem();
      return {
        timestamp: Date.now(),
        cpu: { usage, cores: cpus.length, frequency: cpus[0]?.speed ?? 0, loadAvg: os.loadavg().map(round2) },
        memory: { total, used: total - free, free, usagePercent: round2(((total - free) / total) * 100), processRss: process.memoryUsage.rss() },
        gpu: gpus,
        uptime: os.uptime(),
        platform: process.platform,
        ...(query.history === '1' || query.history === 'true' ? { history: history.list() } : {}),
      };
    });
  },
});
