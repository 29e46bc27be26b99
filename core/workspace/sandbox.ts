/**
 * What this machine lets us do to contain executed code, probed once: namespaces (`unshare`: no network, a private
 * PID space whose processes all die with the main one, a private mount namespace with its own /proc in which the
 * file system is read-only but for the workspace — see `confine.ts`), rlimits (`prlimit`), and a cgroup per run for
 * processes (the only fork-bomb bound that holds for root, whom RLIMIT_NPROC ignores) and memory.
 */
import { spawn } from 'node:child_process';
import { probeCgroups, type CgroupBases } from './cgroup.ts';

export interface SandboxCapabilities {
  /** `isolated`: the code runs in an empty network namespace (only a down loopback). */
  network: 'isolated' | 'not-isolated';
  /** Own PID namespace: every descendant dies when the main process exits or is killed, even after setsid. */
  pidNamespace: boolean;
  /** /proc remounted for that namespace: host processes (and the server's environ) are invisible. */
  procHidden: boolean;
  /** How the number of processes is bounded: a pids cgroup, RLIMIT_NPROC (non-root in a user namespace), or only by the timeout. */
  processLimit: 'cgroup' | 'rlimit' | 'none';
  /** Memory: one cap for the whole run (a memory cgroup), else a per-process address-space cap (RLIMIT_AS), else none. */
  memoryLimit: 'cgroup' | 'rlimit' | 'none';
  /** A private mount namespace: everything read-only except the workspace and a private /tmp (see `confine.ts`). */
  fileSystem: 'read-only-except-workspace' | 'host';
  /**
   * All Linux capabilities dropped (setpriv: empty bounding set, no-new-privs, root's automatic capabilities locked
   * off), so even code running as uid 0 cannot unmount the private /proc, re-enter the host namespaces or mount.
   */
  capabilitiesDropped: boolean;
  /** The server runs as root: executed code is uid 0 and can read and write whatever root's file ownership allows. */
  runningAsRoot: boolean;
}

/** Internal: the probed capabilities plus how to use them. */
export interface SandboxPlan extends SandboxCapabilities {
  unshareArgs: string[];
  prlimit: boolean;
  /** setpriv arguments that drop every capability ([] when setpriv is unusable). */
  setprivArgs: string[];
  /** Where per-run cgroups are created. */
  cgroups?: CgroupBases;
}

const run = (cmd: string, args: string[]) =>
  new Promise<number>((resolve) => {
    const child = spawn(cmd, args, { stdio: 'ignore' });
    child.on('error', () => resolve(-1));
    child.on('exit', (code) => resolve(code ?? -1));
  });

/** Drop every capability for good: `noroot` stops uid 0 regaining them on exec; the `_locked` bits make it stick. */
export const SETPRIV_ARGS = [
  '--no-new-privs',
  '--bounding-set=-all',
  '--inh-caps=-all',
  '--securebits=+noroot,+noroot_locked,+no_setuid_fixup,+no_setuid_fixup_locked,+keep_caps_locked',
];

const NS_FLAGS = ['--net', '--pid', '--fork', '--kill-child'];
const PROC_FLAGS = ['--mount', '--mount-proc'];

/** Tries the strongest unshare set first, then weaker ones; [] when unshare is unusable. */
async function probeUnshare(root: boolean): Promise<string[]> {
  // Non-root needs a user namespace to be allowed to create the others; root must NOT use one (it would gain nothing).
  const user = root ? [] : ['--user', '--map-root-user'];
  const candidates = [
    [...user, ...NS_FLAGS, ...PROC_FLAGS],
    [...user, ...NS_FLAGS],
    [...user, '--net'],
    [...user, '--pid', '--fork', '--kill-child'],
  ];
  for (const c of candidates) if ((await run('unshare', [...c, 'true'])) === 0) return c;
  return [];
}

/** Moves a short-lived shell into a cgroup folder: the test every cgroup probe ends with. */
const joins = (dir: string) => run('sh', ['-c', 'echo $$ > "$0/cgroup.procs"', dir]).then((c) => c === 0);

let planPromise: Promise<SandboxPlan> | undefined;

/** Probes once per process (a few short spawns, ~50 ms). */
export function sandboxPlan(): Promise<SandboxPlan> {
  planPromise ??= (async () => {
    const root = process.getuid?.() === 0;
    const [unshareArgs, prlimit, cgroups] = await Promise.all([
      probeUnshare(root),
      run('prlimit', ['--version']).then((c) => c === 0),
      root ? probeCgroups(joins) : Promise.resolve(undefined),
    ]);
    // Probed where it will run: a non-root server only holds capabilities (to drop) inside its user namespace.
    const setpriv =
      (await run(unshareArgs.length ? 'unshare' : 'setpriv', [
        ...(unshareArgs.length ? [...unshareArgs, '--', 'setpriv'] : []),
        ...SETPRIV_ARGS,
        '--',
        'true',
      ])) === 0;
    const userNs = unshareArgs.includes('--user');
    return {
      network: unshareArgs.includes('--net') ? 'isolated' : 'not-isolated',
      pidNamespace: unshareArgs.includes('--pid'),
      procHidden: unshareArgs.includes('--mount-proc'),
      processLimit: cgroups?.pids ? 'cgroup' : prlimit && userNs ? 'rlimit' : 'none',
      memoryLimit: cgroups?.memory ? 'cgroup' : prlimit ? 'rlimit' : 'none',
      fileSystem: unshareArgs.includes('--mount-proc') && setpriv ? 'read-only-except-workspace' : 'host',
      capabilitiesDropped: setpriv,
      runningAsRoot: root,
      unshareArgs,
      prlimit,
      setprivArgs: setpriv ? SETPRIV_ARGS : [],
      cgroups,
    };
  })();
  return planPromise;
}

/** The public part of the probe, e.g. for a health/capabilities endpoint and the README. */
export async function sandboxCapabilities(): Promise<SandboxCapabilities> {
  const { unshareArgs: _u, prlimit: _p, setprivArgs: _s, cgroups: _c, ...caps } = await sandboxPlan();
  return caps;
}
