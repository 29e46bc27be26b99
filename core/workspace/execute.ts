/**
 * Runs a snippet of Python, JavaScript or shell in the user's workspace, contained as far as this host allows (see
 * `sandbox.ts`): a clean environment, a file system that is read-only but for the workspace and a private /tmp, a time
 * limit that kills every descendant, an output cap, memory (per run) / file-size / process caps, and no network when
 * namespaces are available.
 */
import { randomUUID } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import { mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError, badRequest } from '../errors.ts';
import { createExecCgroup, type ExecCgroup } from './cgroup.ts';
import { buildArgv } from './command.ts';
import { confineScript } from './confine.ts';
import { cleanEnv, nodeBinary, pythonBinary } from './interpreters.ts';
import { sandboxPlan } from './sandbox.ts';
import { spawnRun, type Spawned } from './spawn-run.ts';
import type { ExecuteResult } from '../plugin-api/workspace.ts';
export type { ExecuteResult } from '../plugin-api/workspace.ts';

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
  /**
   * Memory of the whole run (a memory cgroup: all its processes together), default 1 GiB. Each process also gets an
   * address-space cap (RLIMIT_AS) of at least this much (Node gets extra room for V8's reservations); without a
   * memory cgroup that per-process cap is the only bound.
   */
  memoryBytes?: number;
  /** RLIMIT_FSIZE: the largest file any process may write (default 256 MiB; 0 = no file may grow at all). */
  maxFileBytes?: number;
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
  /**
   * The installation (project root, `node_modules`, plugin folders): read-only for the code, verified before it runs.
   * With `hidePaths`, execution needs the private mount namespace and is refused (503 `SANDBOX_UNAVAILABLE`) without it.
   */
  readOnlyPaths?: string[];
}

const clamp = (v: number | undefined, dflt: number, lo: number, hi: number) =>
  Math.min(hi, Math.max(lo, Number.isFinite(v) ? Math.floor(v!) : dflt));

/** The process part of a run: output collection with its cap, the timeout, abort, and the fd-3 setup report. */
const unavailable = (why: string) =>
  new AppError(503, 'SANDBOX_UNAVAILABLE', `Code execution cannot be confined on this machine (${why}); set AION_EXEC_ALLOW_UNCONFINED=1 to run without it`);

/** Appends a bracketed note to stderr on its own line. */
const note = (stderr: string, text: string) => `${stderr}${stderr && !stderr.endsWith('\n') ? '\n' : ''}[${text}]`;

/** The run's limits: what the caller asked for, clamped to what the host allows. */
function limitsOf(opts: ExecuteOptions) {
  return {
    timeoutMs: clamp(opts.timeoutMs, DEFAULT_TIMEOUT_MS, 100, MAX_TIMEOUT_MS),
    maxOutput: clamp(opts.maxOutputBytes, DEFAULT_MAX_OUTPUT_BYTES, 1024, 64 * 1024 * 1024),
    memory: clamp(opts.memoryBytes, DEFAULT_MEMORY_BYTES, 16 * 1024 * 1024, 64 * 1024 ** 3),
    maxProcs: clamp(opts.maxProcesses, DEFAULT_MAX_PROCESSES, 4, 4096),
    maxFileBytes: clamp(opts.maxFileBytes, DEFAULT_MAX_FILE_BYTES, 0, DEFAULT_MAX_FILE_BYTES),
    installation: opts.readOnlyPaths ?? [],
  };
}

/**
 * The confinement script of the run (`undefined`: unconfined). Without a private mount namespace neither the data
 * folder can be hidden nor the installation made read-only: refused rather than expose other users' files, the JWT
 * secret and the server's own code, unless the operator explicitly accepts that (single-user machines).
 */
function confinement(opts: ExecuteOptions, plan: Awaited<ReturnType<typeof sandboxPlan>>, cwd: string, memory: number): string | undefined {
  const installation = opts.readOnlyPaths ?? [];
  const confined = plan.fileSystem === 'read-only-except-workspace';
  const needsConfinement = !!(opts.hidePaths?.length || installation.length);
  if (needsConfinement && !confined && process.env.AION_EXEC_ALLOW_UNCONFINED !== '1') throw unavailable('no private mount namespace');
  if (!confined) return undefined;
  try {
    return confineScript({ workspace: cwd, hidden: opts.hidePaths ?? [], readOnly: installation, tmpBytes: memory });
  } catch {
    throw new AppError(500, 'WORKSPACE_MISCONFIGURED', 'This workspace lies inside the server installation; code execution is refused');
  }
}

/** Runs code; never throws for the code's own failures (those are a non-zero `exitCode`), only for bad input. */
export async function executeCode(opts: ExecuteOptions): Promise<ExecuteResult> {
  const language = normalizeLanguage(opts.language);
  if (typeof opts.code !== 'string' || opts.code.trim() === '') throw badRequest('Code is required', { field: 'code' });
  if (Buffer.byteLength(opts.code) > MAX_CODE_BYTES) {
    throw new AppError(413, 'CODE_TOO_LARGE', `Code is larger than ${MAX_CODE_BYTES} bytes`);
  }
  const limits = limitsOf(opts);
  const { timeoutMs, maxOutput, memory, maxProcs, maxFileBytes, installation } = limits;
  const cwd = await realpath(opts.cwd);
  const [plan, python] = await Promise.all([sandboxPlan(), pythonBinary()]);
  const confine = confinement(opts, plan, cwd, memory);

  const id = randomUUID();
  const execDir = path.join(cwd, '.aion-exec');
  // Confined runs get the private /tmp; otherwise a temp folder inside the workspace, removed afterwards.
  const tmpDir = confine ? '/tmp' : path.join(execDir, `tmp-${id}`);
  await mkdir(confine ? execDir : tmpDir, { recursive: true, mode: 0o700 });
  const codeFile = language === 'shell' ? path.join(execDir, `${id}.sh`) : undefined;
  if (codeFile) await writeFile(codeFile, opts.code, { mode: 0o600 });
  let cgroup: ExecCgroup | undefined;
  try {
    // Fail closed: a run without its cgroup would have neither the process nor the memory cap.
    if (plan.cgroups) cgroup = await createExecCgroup(plan.cgroups, { maxPids: maxProcs, memoryBytes: memory }).catch(() => { throw unavailable('no cgroup for the run'); });
    // V8 reserves address space up front (code range, cages; Node 24 will not start under ~2 GiB): 2 GiB on top.
    const perProcess = Math.max(memory, plan.cgroups?.memory ? DEFAULT_MEMORY_BYTES : 0);
    const argv = buildArgv(plan, {
      language, python, node: nodeBinary(installation), codeFile,
      addressSpace: language === 'javascript' ? perProcess + 2 * 1024 ** 3 : perProcess,
      heapBytes: memory, maxFileBytes, timeoutMs, maxProcs, confine, cgroup,
    });
    const r = await spawnRun(argv, { cwd, env: cleanEnv(cwd, tmpDir, python, installation), stdin: codeFile ? undefined : opts.code, timeoutMs, maxOutput, signal: opts.signal, cgroup });
    if (!r.setupOk && !r.timedOut && !r.aborted) throw unavailable('the sandbox could not be set up');
    const oomKills = cgroup ? await cgroup.oomKills() : 0;
    return result(language, r, timeoutMs, memory, oomKills);
  } finally {
    if (cgroup) {
      await cgroup.killAll();
      await cgroup.remove();
    }
    if (!confine) await rm(tmpDir, { recursive: true, force: true }).catch(() => {});
    if (codeFile) await rm(codeFile, { force: true }).catch(() => {});
  }
}

/** The response shape, with notes for truncation, timeout, abort and the memory cap. */
function result(language: ExecLanguage, r: Spawned, timeoutMs: number, memory: number, oomKills: number): ExecuteResult {
  let { stdout, stderr } = r;
  if (r.truncated) {
    if (r.overflow === 'err') stderr += TRUNCATION_MARKER;
    else stdout += TRUNCATION_MARKER;
  }
  let exitCode: number;
  if (r.timedOut) {
    exitCode = TIMEOUT_EXIT_CODE;
    stderr = note(stderr, `Execution timed out after ${timeoutMs}ms`);
  } else if (r.code !== null) exitCode = r.code;
  else exitCode = 128 + (r.signal ? (osConstants.signals[r.signal] ?? 0) : 0);
  if (r.aborted && !r.timedOut) stderr = note(stderr, 'Execution aborted');
  if (oomKills > 0) stderr = note(stderr, `Memory limit of ${Math.round(memory / 1024 / 1024)} MB for this run reached: ${oomKills} process(es) killed`);
  return { language, stdout, stderr, exitCode, durationMs: r.durationMs, timedOut: r.timedOut, truncated: r.truncated };
}
