/**
 * One pids cgroup per execution: caps how many processes the code may have at once (a fork bomb hits the cap and
 * stalls instead of exhausting the host's PID table), and lists every member so all can be killed, whatever
 * process group or session they moved to.
 */
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

let counter = 0;

export interface ExecCgroup {
  dir: string;
  /** SIGKILLs every member until none is left (new ones may be forked while we kill; bounded rounds). */
  killAll(): Promise<void>;
  /** Removes the folder (after killAll); retries while the kernel finishes reaping. */
  remove(): Promise<void>;
}

async function members(dir: string): Promise<number[]> {
  const text = await readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map(Number);
}

/** Creates `<base>/x-<pid>-<n>` with `pids.max` set. */
export async function createExecCgroup(base: string, maxPids: number): Promise<ExecCgroup> {
  const dir = path.join(base, `x-${process.pid}-${++counter}`);
  await mkdir(dir);
  await writeFile(path.join(dir, 'pids.max'), String(maxPids));
  const killAll = async () => {
    for (let round = 0; round < 50; round++) {
      const pids = await members(dir);
      if (!pids.length) return;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return {
    dir,
    killAll,
    async remove() {
      for (let i = 0; i < 100; i++) {
        try {
          await rmdir(dir);
          return;
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') return;
          // EBUSY: zombies not yet reaped; a moment later it is empty.
          await new Promise((r) => setTimeout(r, 20));
          if (i % 10 === 9) await killAll();
        }
      }
    },
  };
}
