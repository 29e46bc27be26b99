/**
 * One cgroup per execution: a pids cap (a fork bomb hits it and stalls instead of exhausting the host's PID table)
 * and a memory cap for the whole run (ten processes share one budget, where RLIMIT_AS only bounds each alone). The
 * cgroup also lists every member, so all can be killed whatever process group or session they moved to.
 *
 * cgroup v1 has one hierarchy per controller (`/sys/fs/cgroup/pids`, `/sys/fs/cgroup/memory`); the run's folders are
 * created below the server's own cgroup there, so whatever limits the server runs under still apply to its code.
 * cgroup v2 has one hierarchy; the run's folder lives in `/sys/fs/cgroup/aion-exec` with both controllers enabled.
 */
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Where runs' cgroups are created, per controller (on v2 both are the same folder). */
export interface CgroupBases {
  version: 1 | 2;
  pids?: string;
  memory?: string;
}

export interface ExecCgroup {
  /** Every folder the run's processes must join (one on v2, one per controller on v1). */
  dirs: string[];
  /** SIGKILLs every member until none is left (new ones may be forked while we kill; bounded rounds). */
  killAll(): Promise<void>;
  /** Processes the kernel killed for exceeding the memory cap. */
  oomKills(): Promise<number>;
  /** Removes the folders (after killAll); retries while the kernel finishes reaping. */
  remove(): Promise<void>;
}

let counter = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function members(dirs: string[]): Promise<number[]> {
  const all = new Set<number>();
  for (const dir of dirs) {
    const text = await readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
    for (const line of text.split('\n')) if (line) all.add(Number(line));
  }
  return [...all];
}

/** Writes the memory cap (and no swap beyond it) in the dialect of the hierarchy. */
async function limitMemory(dir: string, version: 1 | 2, bytes: number): Promise<void> {
  if (version === 2) {
    await writeFile(path.join(dir, 'memory.max'), String(bytes));
    await writeFile(path.join(dir, 'memory.swap.max'), '0').catch(() => {}); // absent without swap accounting
  } else {
    await writeFile(path.join(dir, 'memory.limit_in_bytes'), String(bytes));
    await writeFile(path.join(dir, 'memory.memsw.limit_in_bytes'), String(bytes)).catch(() => {});
  }
}

/** The number after `oom_kill` in v2 `memory.events` or v1 `memory.oom_control`. */
async function readOomKills(dir: string, version: 1 | 2): Promise<number> {
  const text = await readFile(path.join(dir, version === 2 ? 'memory.events' : 'memory.oom_control'), 'utf8').catch(() => '');
  return Number(/^oom_kill (\d+)$/m.exec(text)?.[1] ?? 0);
}

/** Creates the run's cgroup(s) with `pids.max` and the memory cap set; throws when the kernel refuses. */
export async function createExecCgroup(bases: CgroupBases, limits: { maxPids: number; memoryBytes: number }): Promise<ExecCgroup> {
  const name = `x-${process.pid}-${++counter}`;
  const pidsDir = bases.pids && path.join(bases.pids, name);
  const memoryDir = bases.memory && path.join(bases.memory, name);
  const dirs = [...new Set([pidsDir, memoryDir].filter((d): d is string => !!d))];
  try {
    for (const dir of dirs) await mkdir(dir);
    if (pidsDir) await writeFile(path.join(pidsDir, 'pids.max'), String(limits.maxPids));
    if (memoryDir) await limitMemory(memoryDir, bases.version, limits.memoryBytes);
  } catch (e) {
    for (const dir of dirs) await rmdir(dir).catch(() => {});
    throw e;
  }
  const killAll = async () => {
    for (let round = 0; round < 50; round++) {
      const pids = await members(dirs);
      if (!pids.length) return;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await sleep(10);
    }
  };
  return {
    dirs,
    killAll,
    oomKills: () => (memoryDir ? readOomKills(memoryDir, bases.version) : Promise.resolve(0)),
    async remove() {
      for (const dir of dirs) {
        for (let i = 0; i < 100; i++) {
          try {
            await rmdir(dir);
            break;
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code === 'ENOENT') break;
            // EBUSY: zombies not yet reaped; a moment later it is empty.
            await sleep(20);
            if (i % 10 === 9) await killAll();
          }
        }
      }
    },
  };
}

/** The server's own cgroup path in a v1 hierarchy (`4:memory:/a/b` → `/a/b`). */
async function ownV1Path(controller: string): Promise<string> {
  const text = await readFile('/proc/self/cgroup', 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [, ctrls, p] = line.split(':');
    if (ctrls?.split(',').includes(controller) && p) return p;
  }
  return '/';
}

/** Verifies a base by making a child, setting its limit and moving a shell into it. */
async function usable(base: string, setup: (dir: string) => Promise<void>, join: (dir: string) => Promise<boolean>): Promise<boolean> {
  try {
    await mkdir(base, { recursive: true });
    const dir = path.join(base, `probe-${process.pid}`);
    await mkdir(dir, { recursive: true });
    try {
      await setup(dir);
      return await join(dir);
    } finally {
      await rmdir(dir).catch(() => {});
    }
  } catch {
    return false; // not mounted, read-only, or no permission
  }
}

/** Finds the cgroup folders this server may use; `join(dir)` must move a short-lived process into `dir`. */
export async function probeCgroups(join: (dir: string) => Promise<boolean>): Promise<CgroupBases | undefined> {
  const v2Controllers = await readFile('/sys/fs/cgroup/cgroup.controllers', 'utf8').catch(() => undefined);
  if (v2Controllers !== undefined) {
    const enabled = (await readFile('/sys/fs/cgroup/cgroup.subtree_control', 'utf8').catch(() => '')).split(/\s+/);
    const wanted = ['pids', 'memory'].filter((c) => enabled.includes(c));
    if (!wanted.length) return undefined;
    const base = '/sys/fs/cgroup/aion-exec';
    await mkdir(base, { recursive: true }).catch(() => {});
    await writeFile(path.join(base, 'cgroup.subtree_control'), wanted.map((c) => `+${c}`).join(' ')).catch(() => {});
    const ok = await usable(base, async (dir) => {
      if (wanted.includes('pids')) await writeFile(path.join(dir, 'pids.max'), '16');
      if (wanted.includes('memory')) await writeFile(path.join(dir, 'memory.max'), String(64 * 1024 * 1024));
    }, join);
    if (!ok) return undefined;
    return { version: 2, pids: wanted.includes('pids') ? base : undefined, memory: wanted.includes('memory') ? base : undefined };
  }
  const bases: CgroupBases = { version: 1 };
  for (const controller of ['pids', 'memory'] as const) {
    const mount = `/sys/fs/cgroup/${controller}`;
    const base = path.join(mount, await ownV1Path(controller), 'aion-exec');
    const file = controller === 'pids' ? 'pids.max' : 'memory.limit_in_bytes';
    const value = controller === 'pids' ? '16' : String(64 * 1024 * 1024);
    if (await usable(base, (dir) => writeFile(path.join(dir, file), value), join)) bases[controller] = base;
  }
  return bases.pids || bases.memory ? bases : undefined;
}
