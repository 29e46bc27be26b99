/** CPU usage in percent from `os.cpus()` time deltas: since the previous call, or over a short sample on the first. */
import os from 'node:os';

type Times = { idle: number; total: number };

function snapshot(): Times {
  let idle = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

const percent = (a: Times, b: Times) => {
  const total = b.total - a.total;
  return total > 0 ? Math.round((1 - (b.idle - a.idle) / total) * 10_000) / 100 : 0;
};

/** Measures CPU usage; keeps the last snapshot so frequent callers get the usage since their previous call. */
export class CpuSampler {
  private last: { at: number; times: Times } | undefined;

  constructor(private readonly sampleMs = 100) {}

  async usage(): Promise<number> {
    let prev = this.last;
    // Too recent a snapshot (or none) says nothing: take a short sample instead.
    if (!prev || Date.now() - prev.at < this.sampleMs) {
      prev = { at: Date.now(), times: snapshot() };
      await new Promise((r) => setTimeout(r, this.sampleMs));
    }
    const now = { at: Date.now(), times: snapshot() };
    this.last = now;
    return Math.min(100, Math.max(0, percent(prev.times, now.times)));
  }
}
