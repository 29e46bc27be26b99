/**
 * The file-system view of executed code, built inside its private mount namespace (before its capabilities are
 * dropped) by a short shell script:
 *
 * 1. every mount is made read-only — per mount (`remount,bind,ro`), so the host's own file systems stay writable for
 *    the server; this covers the installation (project, `node_modules` under any name or hard link, `PLUGINS_DIRS`),
 *    `/etc`, `/usr`, `/sys` and the private `/proc` at once;
 * 2. a fresh `/dev` with only null, zero, full, random, urandom, tty, pts and shm (no raw disks, no loop devices);
 * 3. a private `/tmp` (tmpfs, gone when the run ends);
 * 4. the data folder and the keys file covered (an empty tmpfs, /dev/null);
 * 5. the caller's workspace bound back read-write — the only persistent place the code can write;
 * 6. a check that the installation really refuses a write, or the run is refused (exit 125, no "ok" on fd 3).
 *
 * The script writes `ok` on fd 3 just before it execs the code and closes that fd, so the server can tell a failed
 * setup (503) from the code's own exit status.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { isInside } from './paths.ts';

export interface ConfineOptions {
  /** The workspace (real path); also the shell's working folder when the script starts. */
  workspace: string;
  /** Folders and files the code must not see: the data folder, the keys file. */
  hidden: string[];
  /** The installation: must refuse writes inside the namespace (checked, fail closed). */
  readOnly: string[];
  /** Size of the private /tmp and /dev/shm (both also count against the run's memory cgroup). */
  tmpBytes: number;
}

/** Shell-quote one argument. */
export const q = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

/** Existing paths, resolved (a symlinked `node_modules` is protected where it really lives), deduplicated. */
function realExisting(paths: string[]): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    try {
      if (existsSync(p)) out.add(realpathSync(p));
    } catch {
      // vanished meanwhile
    }
  }
  return [...out];
}

/** Step 1: every mount point of the namespace (mountinfo field 5, octal-escaped) read-only. */
const READ_ONLY_SWEEP = [
  `while read -r _ _ _ _ mp _; do mp=$(printf '%b' "$mp"); mount -o remount,bind,ro "$mp" 2>/dev/null; done < /proc/self/mountinfo;`,
  // Cover the cgroup file system too, so code running as root cannot even read its cgroup's limits to game them.
  `mount -t tmpfs -o ro,size=0 aion-none /sys/fs/cgroup 2>/dev/null;`,
];

/** Step 2: a minimal /dev. Nodes are bound from the old /dev, reached through fd 4 after it is covered. */
function minimalDev(tmpBytes: number): string[] {
  const nodes = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];
  return [
    'exec 4</dev;',
    'mount -t tmpfs -o size=1m,mode=755,nosuid aion-dev /dev || exit 125;',
    `for n in ${nodes.join(' ')}; do : > /dev/$n && mount -c --bind /proc/self/fd/4/$n /dev/$n || exit 125; done;`,
    'exec 4<&-;',
    'ln -s /proc/self/fd /dev/fd; ln -s /proc/self/fd/0 /dev/stdin; ln -s /proc/self/fd/1 /dev/stdout; ln -s /proc/self/fd/2 /dev/stderr;',
    'mkdir /dev/shm /dev/pts;',
    `mount -t tmpfs -o size=${tmpBytes},mode=1777,nosuid,nodev aion-shm /dev/shm || exit 125;`,
    // A private pty instance for code that wants a terminal; optional (older kernels lack newinstance).
    'mount -t devpts -o newinstance,ptmxmode=0666,mode=620 aion-pts /dev/pts 2>/dev/null && ln -s pts/ptmx /dev/ptmx;',
    'mount -o remount,bind,ro /dev || exit 125;',
  ];
}

/** Covers one hidden path (skipped when an earlier cover, e.g. the private /tmp, already took it away). */
function cover(target: string, isDir: boolean): string {
  const how = isDir ? `mount -t tmpfs -o size=64k,mode=755 aion-hidden ${q(target)}` : `mount --bind /dev/null ${q(target)}`;
  return `if [ -e ${q(target)} ]; then ${how} || exit 125; fi;`;
}

/**
 * The whole setup script (ends by exec'ing its arguments). Throws when the workspace itself lies inside the
 * installation outside any hidden folder: binding it writable would hand the installation to the code.
 */
export function confineScript(opts: ConfineOptions): string {
  const ws = opts.workspace;
  const hidden = realExisting(opts.hidden).map((p) => ({ p, dir: statSync(p).isDirectory() }));
  const readOnly = realExisting(opts.readOnly);
  const insideHidden = hidden.some((h) => h.dir && isInside(h.p, ws));
  if (readOnly.some((r) => isInside(r, ws)) && !insideHidden) throw new Error('workspace inside the installation');
  const lines = [
    ...READ_ONLY_SWEEP,
    ...minimalDev(opts.tmpBytes),
    `mount -t tmpfs -o size=${opts.tmpBytes},mode=1777,nosuid,nodev aion-tmp /tmp || exit 125;`,
  ];
  const covered: string[] = [];
  for (const h of hidden) {
    if (covered.some((dir) => isInside(dir, h.p))) continue;
    if (h.dir) covered.push(h.p);
    lines.push(cover(h.p, h.dir));
  }
  // The workspace back, read-write, from the shell's own working folder (its path may now be covered or missing).
  lines.push(`mkdir -p ${q(ws)} && mount -c --bind /proc/self/cwd ${q(ws)} && mount -o remount,bind,rw ${q(ws)} && cd ${q(ws)} || exit 125; unset OLDPWD;`);
  // What a non-recursive bind brought back unprotected: hidden or installation paths inside the workspace.
  for (const h of hidden) if (h.p !== ws && isInside(ws, h.p)) lines.push(cover(h.p, h.dir));
  for (const r of readOnly) if (isInside(ws, r)) lines.push(`mount --bind ${q(r)} ${q(r)} && mount -o remount,bind,ro ${q(r)} || exit 125;`);
  // Covers taken away by an earlier one (e.g. under the private /tmp) are no mount points any more: skipped.
  for (const dir of covered) lines.push(`mountpoint -q ${q(dir)} && mount -o remount,bind,ro ${q(dir)} 2>/dev/null;`);
  // Fail closed: a write into the installation (or /) must be refused now.
  for (const r of ['/', ...readOnly]) {
    const probe = q(`${r === '/' ? '' : r}/.aion-ro-probe-`);
    lines.push(`if [ -d ${q(r)} ] && ( : > ${probe}$$ ) 2>/dev/null; then rm -f ${probe}$$; echo 'aion: the installation is writable' >&2; exit 125; fi;`);
  }
  lines.push('echo ok >&3; exec 3>&-;');
  return lines.join(' ');
}

/**
 * The lighter view for a host program run on a user's behalf (the Claude CLI): it keeps the network, the host's
 * /tmp and the account's home (its credentials), but the data folder is covered save its own working folder (the
 * shell's cwd, bound back), the keys file is covered, and the installation is bound read-only. Runs before the
 * capabilities are dropped, so the program cannot unmount any of it, nor reach the server through /proc/<pid>/root.
 */
export function hostProgramScript(opts: Omit<ConfineOptions, 'tmpBytes'>): string {
  const ws = opts.workspace;
  const hidden = realExisting(opts.hidden).map((p) => ({ p, dir: statSync(p).isDirectory() }));
  const lines: string[] = [READ_ONLY_SWEEP[1]];
  const covered: string[] = [];
  for (const h of hidden) {
    if (covered.some((dir) => isInside(dir, h.p))) continue;
    if (h.dir) covered.push(h.p);
    lines.push(cover(h.p, h.dir));
  }
  lines.push(`mkdir -p ${q(ws)} && mount -c --bind /proc/self/cwd ${q(ws)} && cd ${q(ws)} || exit 125; unset OLDPWD;`);
  for (const h of hidden) if (h.p !== ws && isInside(ws, h.p)) lines.push(cover(h.p, h.dir));
  for (const r of realExisting(opts.readOnly)) {
    lines.push(`if [ -d ${q(r)} ]; then mount --bind ${q(r)} ${q(r)} && mount -o remount,bind,ro ${q(r)} || exit 125; fi;`);
  }
  for (const dir of covered) lines.push(`mountpoint -q ${q(dir)} && mount -o remount,bind,ro ${q(dir)} 2>/dev/null;`);
  return lines.join(' ');
}
