/**
 * Runs a snippet of Python, JavaScript or shell in the user's workspace, contained as far as this host allows (see
 * `sandbox.ts`): a clean environment, a time limit that kills every descendant, an output cap, memory / file-size /
 * process caps, and no network when namespaces are available.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError, badRequest } from '../errors.ts';
import { createExecCgroup, type ExecCgroup } from './cgroup.ts';
import { isInside } from './paths.ts';
import { sandboxPlan } from './sandbox.ts';

export type ExecLanguage = 'python' | 'javascript' | 'shell';

const ALIASES: Record<string, ExecLanguage> = {
  python: 'python', py: 'python', python3: 'python',
  javascript: 'javascript', js: 'javascript', node: 'javascript',
  shell: 'shell', bash: 'shell', sh: 'shell',
};

/** Maps a language name or alias to its canonical name; 400 `UNSUPPORTED_LANGUAGE` otherwise. */
export function normalizeLanguage(language: unknown): ExecLanguage {
  const canonical = typeof language === 'string' ? ALIASES[language.trim().toLowerCase()] : undefined;
  if (!canonical) {
    throw badRequest(`Unsupported language: ${String(language).slice(0, 40)}. Supported: python, javascript, shell`, { field: 'language' }, 'UNSUPPORTED_LANGUAGE');
  }
  return canonical;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const MAX_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
export const DEFAULT_MEMORY_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_MAX_PROCESSES = 64;
/** Largest single file the code may write (RLIMIT_FSIZE). */
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;
export const MAX_CODE_BYTES = 1024 * 1024;
export const TRUNCATION_MARKER = '\n[output truncated]';
/** Exit code reported for a timeout (the `timeout(1)` convention, as the original server did). */
export const TIMEOUT_EXIT_CODE = 124;

export interface ExecuteOptions {
  language: string;
  code: string;
  /** The workspace root: working folder, HOME, and where the temp files go. */
  cwd: string;
  /** Default 30 s, clamped to [100 ms, MAX_TIMEOUT_MS]. */
  timeoutMs?: number;
  /** stdout + stderr together; beyond it the output is cut with a marker and the code killed. Default 1 MB. */
  maxOutputBytes?: number;
  /** Address-space cap per process (RLIMIT_AS); default 1 GiB (Node gets extra room for V8's reservations). */
  memoryBytes?: number;
  /** Concurrent processes at most (pids cgroup, or RLIMIT_NPROC in a user namespace). Default 64. */
  maxProcesses?: number;
  /** Aborts the run (e.g. the client went away); reported like a timeout but with the abort reason. */
  signal?: AbortSignal;
  /**
   * Folders and files the code must not see (the data folder with every other workspace and the JWT secret, the keys
   * file). Inside the private mount namespace a folder is covered by an empty tmpfs (the workspace, when inside it, is
   * bound back), a file by /dev/null. Fails closed: if a cover cannot be mounted, the code does not run.
   */
  hidePaths?: string[];
}

export interface ExecuteResult {
  language: ExecLanguage;
  stdout: string;
  stderr: string;
  exitCode: number;
  durationMs: number;
  timedOut: boolean;
  truncated: boolean;
}

let pythonPromise: Promise<string> | undefined;

/**
 * The real python3 executable. Resolved once with the server's environment, because `python3` on PATH may be a
 * version-manager shim (pyenv) that fails under the clean environment the code gets.
 */
function pythonBinary(): Promise<string> {
  pythonPromise ??= new Promise((resolve) => {
    const child = spawn('python3', ['-c', 'import sys; print(sys.executable)'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', () => resolve('python3'));
    child.on('close', (code) => resolve(code === 0 && out.trim() ? out.trim() : 'python3'));
  });
  return pythonPromise;
}

/**
 * The environment the code sees: nothing inherited from the server (no keys, tokens, JWT secret, database URLs), only
 * a fixed PATH that still finds the same interpreters, HOME and TMPDIR inside the workspace, and UTF-8.
 */
export function cleanEnv(cwd: string, tmpDir: string, python: string): Record<string, string> {
  const dirs = [path.dirname(python), path.dirname(process.execPath), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  return {
    PATH: [...new Set(dirs.filter((d) => d !== '.'))].join(':'),
    HOME: cwd,
    TMPDIR: tmpDir,
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

const clamp = (v: number | undefined, dflt: number, lo: number, hi: number) =>
  Math.min(hi, Math.max(lo, Number.isFinite(v) ? Math.floor(v!) : dflt));

/** Runs code; never throws for the code's own failures (those are a non-zero `exitCode`), only for bad input. */
export async function executeCode(opts: ExecuteOptions): Promise<ExecuteResult> {
  const language = normalizeLanguage(opts.language);
  if (typeof opts.code !== 'string' || opts.code.trim() === '') throw badRequest('Code is required', { field: 'code' });
  if (Buffer.byteLength(opts.code) > MAX_CODE_BYTES) {
    throw new AppError(413, 'CODE_TOO_LARGE', `Code is larger than ${MAX_CODE_BYTES} bytes`);
  }
  const timeoutMs = clamp(opts.timeoutMs, DEFAULT_TIMEOUT_MS, 100, MAX_TIMEOUT_MS);
  const maxOutput = clamp(opts.maxOutputBytes, DEFAULT_MAX_OUTPUT_BYTES, 1024, 64 * 1024 * 1024);
  const memory = clamp(opts.memoryBytes, DEFAULT_MEMORY_BYTES, 64 * 1024 * 1024, 64 * 1024 ** 3);
  const maxProcs = clamp(opts.maxProcesses, DEFAULT_MAX_PROCESSES, 4, 4096);

  const cwd = await realpath(opts.cwd);
  const id = randomUUID();
  const execDir = path.join(cwd, '.aion-exec');
  const tmpDir = path.join(execDir, `tmp-${id}`);
  await mkdir(tmpDir, { recursive: true, mode: 0o700 });
  const [plan, python] = await Promise.all([sandboxPlan(), pythonBinary()]);
  // Without a private mount namespace the data folder cannot be hidden: refuse rather than expose other users' files
  // and the JWT secret, unless the operator explicitly accepts that (single-user machines).
  const confinable = plan.procHidden && plan.setprivArgs.length > 0;
  if (opts.hidePaths?.length && !confinable && process.env.AION_EXEC_ALLOW_UNCONFINED !== '1') {
    await rm(tmpDir, { recursive: true, force: true });
    throw new AppError(503, 'SANDBOX_UNAVAILABLE', 'Code execution needs Linux namespaces (unshare) on this machine; set AION_EXEC_ALLOW_UNCONFINED=1 to run without them');
  }

  // Python and Node read the program from stdin, so imports resolve from the workspace (cwd) as in a REPL-less run;
  // bash gets a file, because a script reading stdin would otherwise eat its own remaining lines.
  let argv: string[];
  let stdinCode: string | undefined;
  let codeFile: string | undefined;
  let addressSpace = memory;
  if (language === 'python') {
    argv = [python, '-'];
    stdinCode = opts.code;
  } else if (language === 'javascript') {
    // V8 reserves address space up front (code range, cages; Node 24 will not start under ~2 GiB), so RLIMIT_AS
    // gets 2 GiB on top; the JS heap itself is held to the memory figure by --max-old-space-size.
    addressSpace = memory + 2 * 1024 ** 3;
    argv = [process.execPath, `--max-old-space-size=${Math.max(16, Math.floor(memory / 1024 / 1024))}`, '-'];
    stdinCode = opts.code;
  } else {
    codeFile = path.join(execDir, `${id}.sh`);
    await writeFile(codeFile, opts.code, { mode: 0o600 });
    argv = ['bash', codeFile];
  }

  if (plan.prlimit) {
    const limits = [`--as=${addressSpace}`, `--fsize=${DEFAULT_MAX_FILE_BYTES}`, '--core=0', '--nofile=1024', `--cpu=${Math.ceil(timeoutMs / 1000) + 1}`];
    if (plan.processLimit === 'rlimit') limits.push(`--nproc=${maxProcs}`);
    argv = ['prlimit', ...limits, '--', ...argv];
  }
  if (plan.setprivArgs.length) argv = ['setpriv', ...plan.setprivArgs, '--', ...argv];
  if (plan.procHidden && plan.setprivArgs.length) {
    // Inside the private mount namespace, and before the capabilities go: cover the cgroup filesystem, so code running
    // as root cannot raise its own pids.max or move itself out of its cgroup.
    argv = ['sh', '-c', `mount -t tmpfs -o ro,size=0 aion-none /sys/fs/cgroup 2>/dev/null; ${hideScript(cwd, opts.hidePaths ?? [])} exec "$@"`, 'sh', ...argv];
  }
  if (plan.unshareArgs.length) argv = ['unshare', ...plan.unshareArgs, '--', ...argv];
  let cgroup: ExecCgroup | undefined;
  if (plan.cgroupBase) {
    cgroup = await createExecCgroup(plan.cgroupBase, maxProcs).catch(() => undefined);
    // The wrapper joins the cgroup before exec'ing the sandbox, so nothing the code starts is ever outside it.
    if (cgroup) argv = ['sh', '-c', 'echo $$ > "$0/cgroup.procs" || exit 125; exec "$@"', cgroup.dir, ...argv];
  }

  const started = performance.now();
  const child = spawn(argv[0], argv.slice(1), {
    cwd,
    env: cleanEnv(cwd, tmpDir, python),
    // Own process group (and session): one kill reaches the whole tree even without a PID namespace.
    detached: true,
    stdio: [stdinCode === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });

  const chunks: { out: Buffer[]; err: Buffer[] } = { out: [], err: [] };
  let bytes = 0;
  let truncated = false;
  let overflowStream: 'out' | 'err' | undefined;
  let timedOut = false;
  let aborted = false;

  const killTree = () => {
    if (child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // group already gone
      }
    }
    void cgroup?.killAll();
  };

  const collect = (which: 'out' | 'err') => (chunk: Buffer) => {
    if (truncated) return;
    const room = maxOutput - bytes;
    if (chunk.length > room) {
      chunks[which].push(chunk.subarray(0, room));
      bytes = maxOutput;
      truncated = true;
      overflowStream = which;
      killTree(); // nobody reads the rest; a 50 MB print must not keep running
      return;
    }
    chunks[which].push(chunk);
    bytes += chunk.length;
  };
  child.stdout!.on('data', collect('out'));
  child.stderr!.on('data', collect('err'));

  let exited = false;
  const timer = setTimeout(() => {
    if (exited) return; // finished in the same tick; not a timeout
    timedOut = true;
    killTree();
  }, timeoutMs);
  const onAbort = () => {
    aborted = true;
    killTree();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();

  if (stdinCode !== undefined) {
    // EPIPE when the code exits without reading everything (or is killed) is expected, not an error.
    child.stdin!.on('error', () => {});
    child.stdin!.end(stdinCode);
  }

  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    child.on('error', () => resolve({ code: 127, signal: null }));
    child.on('exit', (c, s) => {
      exited = true;
      exit = { code: c, signal: s };
      // Without a PID namespace a background child (`sleep 1000 &`) would outlive the script and hold the pipes
      // open: the run is over when the main process is, so take the rest down and stop waiting for them.
      killTree();
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        resolve(exit!);
      }, 2000).unref();
    });
    child.on('close', (c, s) => resolve(exit ?? { code: c, signal: s }));
  });
  clearTimeout(timer);
  opts.signal?.removeEventListener('abort', onAbort);
  const durationMs = Math.round(performance.now() - started);

  if (cgroup) {
    await cgroup.killAll();
    await cgroup.remove();
  }
  await rm(tmpDir, { recursive: true, force: true }).catch(() => {});
  if (codeFile) await rm(codeFile, { force: true }).catch(() => {});

  let stdout = Buffer.concat(chunks.out).toString('utf8');
  let stderr = Buffer.concat(chunks.err).toString('utf8');
  if (truncated) {
    if (overflowStream === 'err') stderr += TRUNCATION_MARKER;
    else stdout += TRUNCATION_MARKER;
  }
  let exitCode: number;
  if (timedOut) {
    exitCode = TIMEOUT_EXIT_CODE;
    stderr += `${stderr && !stderr.endsWith('\n') ? '\n' : ''}[Execution timed out after ${timeoutMs}ms]`;
  } else if (code !== null) exitCode = code;
  else exitCode = 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0);
  if (aborted && !timedOut) stderr += `${stderr && !stderr.endsWith('\n') ? '\n' : ''}[Execution aborted]`;
  return { language, stdout, stderr, exitCode, durationMs, timedOut, truncated };
}

/** Shell-quote one argument. */
const q = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

/**
 * Shell lines that cover `hidden` paths inside the sandbox's mount namespace. The shell's working folder is the
 * workspace, so `/proc/self/cwd` still reaches it after its parent is covered and it can be bound back in place.
 */
export function hideScript(workspace: string, hidden: string[]): string {
  const lines: string[] = [];
  const covered: string[] = [];
  for (const given of hidden) {
    if (!existsSync(given)) continue;
    const target = realpathSync(given);
    if (covered.some((dir) => isInside(dir, target))) continue; // already under a covered folder
    if (statSync(target).isDirectory()) {
      covered.push(target);
      lines.push(`mount -t tmpfs -o size=64k,mode=755 aion-hidden ${q(target)} || exit 125;`);
      if (isInside(target, workspace)) lines.push(`mkdir -p ${q(workspace)} && mount -c --bind /proc/self/cwd ${q(workspace)} && cd ${q(workspace)} || exit 125;`);
    } else {
      lines.push(`mount --bind /dev/null ${q(target)} || exit 125;`);
    }
  }
  return lines.join(' ');
}
