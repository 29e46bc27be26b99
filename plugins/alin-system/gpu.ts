/** GPU figures from `nvidia-smi` (2 s timeout); `null` when there is none or it does not answer. */
import { execFile } from 'node:child_process';

export interface GpuInfo {
  name: string;
  usage: number | null;
  /** Bytes. */
  memoryUsed: number | null;
  /** Bytes. */
  memoryTotal: number | null;
  temperature: number | null;
}

const QUERY = ['--query-gpu=name,utilization.gpu,memory.used,memory.total,temperature.gpu', '--format=csv,noheader,nounits'];
const MIB = 1024 * 1024;

const num = (s: string | undefined): number | null => {
  const n = Number.parseFloat(s ?? '');
  return Number.isFinite(n) ? n : null;
};

/** Parse `nvidia-smi` CSV (one GPU per line; `[N/A]` → null; memory from MiB to bytes). */
export function parseGpuCsv(text: string): GpuInfo[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [name, usage, used, total, temp] = line.split(',').map((s) => s.trim());
      const mib = (s: string | undefined) => (num(s) === null ? null : num(s)! * MIB);
      return { name: name ?? '', usage: num(usage), memoryUsed: mib(used), memoryTotal: mib(total), temperature: num(temp) };
    });
}

/** Reads the GPUs, sharing one `nvidia-smi` run among concurrent callers and remembering for a while that it is absent. */
export class GpuReader {
  private inflight: Promise<GpuInfo[] | null> | undefined;
  private absentUntil = 0;

  constructor(private readonly timeoutMs = 2000, private readonly absentForMs = 60_000) {}

  read(): Promise<GpuInfo[] | null> {
    if (Date.now() < this.absentUntil) return Promise.resolve(null);
    this.inflight ??= new Promise<GpuInfo[] | null>((resolve) => {
      execFile('nvidia-smi', QUERY, { timeout: this.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 20 }, (error, stdout) => {
        if (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') this.absentUntil = Date.now() + this.absentForMs;
          return resolve(null);
        }
        const gpus = parseGpuCsv(String(stdout));
        resolve(gpus.length ? gpus : null);
      });
    }).finally(() => (this.inflight = undefined));
    return this.inflight;
  }
}
