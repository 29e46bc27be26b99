/**
 * The command line of one run, built inside out: interpreter ← prlimit (rlimits) ← setpriv (no capabilities) ← the
 * confinement script (mount namespace view, `confine.ts`) ← unshare (namespaces) ← the cgroup join.
 */
import type { ExecCgroup } from './cgroup.ts';
import type { ExecLanguage } from './execute.ts';
import type { SandboxPlan } from './sandbox.ts';

export interface CommandParts {
  language: ExecLanguage;
  python: string;
  node: string;
  /** The bash script file (shell only: a script reading stdin would otherwise eat its own remaining lines). */
  codeFile?: string;
  /** Per-process address-space cap. */
  addressSpace: number;
  /** JS heap figure for --max-old-space-size. */
  heapBytes: number;
  /** RLIMIT_FSIZE: the largest file any process may write. */
  maxFileBytes: number;
  timeoutMs: number;
  maxProcs: number;
  /** The confinement script (undefined when running unconfined). */
  confine?: string;
  cgroup?: ExecCgroup;
}

/** The interpreter's own argv; python and node read the program from stdin, so imports resolve from the workspace. */
function interpreter(p: CommandParts): string[] {
  if (p.language === 'python') return [p.python, '-'];
  if (p.language === 'javascript') return [p.node, `--max-old-space-size=${Math.max(16, Math.floor(p.heapBytes / 1024 / 1024))}`, '-'];
  return ['bash', p.codeFile!];
}

/** The full argv for `spawn`. */
export function buildArgv(plan: SandboxPlan, p: CommandParts): string[] {
  let argv = interpreter(p);
  if (plan.prlimit) {
    const limits = [`--as=${p.addressSpace}`, `--fsize=${p.maxFileBytes}`, '--core=0', '--nofile=1024', `--cpu=${Math.ceil(p.timeoutMs / 1000) + 1}`];
    if (plan.processLimit === 'rlimit') limits.push(`--nproc=${p.maxProcs}`);
    argv = ['prlimit', ...limits, '--', ...argv];
  }
  if (plan.setprivArgs.length) argv = ['setpriv', ...plan.setprivArgs, '--', ...argv];
  // Inside the private mount namespace, before the capabilities go; it reports `ok` on fd 3 when the view is built.
  if (p.confine) argv = ['sh', '-c', `${p.confine} exec "$@"`, 'sh', ...argv];
  else argv = ['sh', '-c', 'echo ok >&3; exec 3>&-; exec "$@"', 'sh', ...argv];
  if (plan.unshareArgs.length) argv = ['unshare', ...plan.unshareArgs, '--', ...argv];
  if (p.cgroup) {
    // Joined before the sandbox starts, so nothing the code starts is ever outside the run's cgroup(s).
    const join = p.cgroup.dirs.map((_, i) => `echo $$ > "$${i + 1}/cgroup.procs" || exit 125;`).join(' ');
    argv = ['sh', '-c', `${join} shift ${p.cgroup.dirs.length}; exec "$@"`, 'sh', ...p.cgroup.dirs, ...argv];
  }
  return argv;
}
