/**
 * Spawn one sandboxed run and collect what it prints: its own process group (one kill reaches the whole tree), output
 * capped (the run is killed once the cap is reached), a timeout, an abort signal, and fd 3 on which the sandbox
 * wrappers report that setup succeeded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { ExecCgroup } from './cgroup.ts';

/** What a finished run left behind. */
export interface Spawned {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  overflow?: 'out' | 'err';
  timedOut: boolean;
  aborted: boolean;
  /** The sandbox wrappers wrote `ok` on fd 3: the code itself ran. */
  setupOk: boolean;
  durationMs: number;
}

export interface SpawnOptions {
  cwd: string;
  env: Record<string, string>;
  stdin?: string;
  timeoutMs: number;
  maxOutput: number;
  signal?: AbortSignal;
  cgroup?: ExecCgroup;
}

type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** stdout and stderr up to `maxOutput` bytes together; past it, the rest is dropped and `onFull` runs once. */
class OutputCollector {
  readonly out: Buffer[] = [];
  readonly err: Buffer[] = [];
  bytes = 0;
  truncated = false;
  overflow: 'out' | 'err' | undefined;

  constructor(private readonly maxOutput: number, private readonly onFull: () => void) {}

  sink(which: 'out' | 'err') {
    return (chunk: Buffer) => {
      if (this.truncated) return;
      const room = this.maxOutput - this.bytes;
      if (chunk.length > room) {
        this[which].push(chunk.subarray(0, room));
        this.bytes = this.maxOutput;
        this.truncated = true;
        this.overflow = which;
        this.onFull(); // nobody reads the rest; a 50 MB print must not keep running
        return;
      }
      this[which].push(chunk);
      this.bytes += chunk.length;
    };
  }
}

/** Kill the run's process group and everything in its cgroup. */
function treeKiller(child: ChildProcess, cgroup?: ExecCgroup): () => void {
  return () => {
    if (child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // group already gone
      }
    }
    void cgroup?.killAll();
  };
}

/**
 * Resolves when the run is over. Without a PID namespace a background child (`sleep 1000 &`) would outlive the script
 * and hold the pipes open: the run is over when the main process is, so the rest is taken down and not waited for.
 */
function waitForExit(child: ChildProcess, killTree: () => void, onExit: () => void): Promise<Exit> {
  return new Promise<Exit>((resolve) => {
    let exit: Exit | undefined;
    child.on('error', () => resolve({ code: 127, signal: null }));
    child.on('exit', (code, signal) => {
      onExit();
      exit = { code, signal };
      killTree();
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        (child.stdio[3] as NodeJS.ReadableStream & { destroy?: () => void })?.destroy?.();
        resolve(exit!);
      }, 2000).unref();
    });
    child.on('close', (code, signal) => resolve(exit ?? { code, signal }));
  });
}

export async function spawnRun(argv: string[], o: SpawnOptions): Promise<Spawned> {
  const started = performance.now();
  const child = spawn(argv[0], argv.slice(1), {
    cwd: o.cwd,
    env: o.env,
    // Own process group (and session): one kill reaches the whole tree even without a PID namespace.
    detached: true,
    stdio: [o.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe', 'pipe'],
  });
  const killTree = treeKiller(child, o.cgroup);
  const output = new OutputCollector(o.maxOutput, killTree);
  const st = { timedOut: false, aborted: false, setup: '', exited: false };
  child.stdout!.on('data', output.sink('out'));
  child.stderr!.on('data', output.sink('err'));
  const status = child.stdio[3] as NodeJS.ReadableStream;
  status.on('data', (d) => (st.setup = (st.setup + d).slice(0, 16)));
  status.on('error', () => {});
  const timer = setTimeout(() => {
    if (st.exited) return; // finished in the same tick; not a timeout
    st.timedOut = true;
    killTree();
  }, o.timeoutMs);
  const onAbort = () => {
    st.aborted = true;
    killTree();
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) onAbort();
  if (o.stdin !== undefined) {
    // EPIPE when the code exits without reading everything (or is killed) is expected, not an error.
    child.stdin!.on('error', () => {});
    child.stdin!.end(o.stdin);
  }
  const { code, signal } = await waitForExit(child, killTree, () => (st.exited = true));
  clearTimeout(timer);
  o.signal?.removeEventListener('abort', onAbort);
  return {
    code,
    signal,
    stdout: Buffer.concat(output.out).toString('utf8'),
    stderr: Buffer.concat(output.err).toString('utf8'),
    truncated: output.truncated,
    overflow: output.overflow,
    timedOut: st.timedOut,
    aborted: st.aborted,
    setupOk: st.setup.startsWith('ok'),
    durationMs: Math.round(performance.now() - started),
  };
}
