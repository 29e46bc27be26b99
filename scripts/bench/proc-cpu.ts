/**
 * CPU time of processes from /proc (Linux): on a machine shared with other work, CPU per request is a steadier
 * figure than latency. Used by store-postgres.ts for the server and the PostgreSQL backends serving it.
 */
import { readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** user + system CPU of `pid` in ms, or 0 when it is gone (or not Linux). */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime (fields 14 and 15 of stat)
  } catch {
    return 0;
  }
}

/** Total CPU ms of a set of processes now, by pid (so processes that appear later count from zero). */
export function snapshot(pids: number[]): Map<number, number> {
  return new Map(pids.map((p) => [p, cpuMs(p)]));
}

/** CPU ms spent by `pids` since `before`. */
export function spentSince(before: Map<number, number>, pids: number[]): number {
  return pids.reduce((sum, p) => sum + cpuMs(p) - (before.get(p) ?? 0), 0);
}
