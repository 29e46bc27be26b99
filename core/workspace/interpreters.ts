/**
 * Which interpreters executed code gets, and the environment it runs with. The PATH it sees names only system folders
 * (and the Python interpreter's own folder when that lies outside the installation): a PATH pointing into the
 * project was how code found the server's files.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { isInside } from './paths.ts';

/** The folders every run's PATH is made of. */
export const SYSTEM_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

let pythonPromise: Promise<string> | undefined;

/**
 * The real python3 executable. Resolved once with the server's environment, because `python3` on PATH may be a
 * version-manager shim (pyenv) that fails under the clean environment the code gets.
 */
export function pythonBinary(): Promise<string> {
  pythonPromise ??= new Promise((resolve) => {
    const child = spawn('python3', ['-c', 'import sys; print(sys.executable)'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', () => resolve('python3'));
    child.on('close', (code) => resolve(code === 0 && out.trim() ? out.trim() : 'python3'));
  });
  return pythonPromise;
}

const executable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * The node for JavaScript runs: the server's own when it lives outside the installation and outside `/tmp` (which the
 * sandbox replaces with a private, empty one, so a node there would not exist for the code), else a system `node`
 * (the server's copy inside `node_modules` would tell the code where the installation is), else the server's anyway —
 * read-only in the sandbox, so knowing its path gains nothing.
 */
export function nodeBinary(installation: string[]): string {
  const hiddenFromCode = installation.some((dir) => isInside(dir, process.execPath)) || isInside('/tmp', process.execPath);
  if (!hiddenFromCode) return process.execPath;
  for (const dir of SYSTEM_PATH) {
    const candidate = path.join(dir, 'node');
    if (executable(candidate)) return candidate;
  }
  return process.execPath;
}

/**
 * The environment of the code: nothing inherited from the server (no keys, tokens, JWT secret, database URLs), a PATH
 * of system folders, HOME in the workspace, TMPDIR (the private /tmp when confined), UTF-8.
 */
export function cleanEnv(home: string, tmpDir: string, python: string, installation: string[]): Record<string, string> {
  const pyDir = path.dirname(python);
  const extra = path.isAbsolute(pyDir) && !installation.some((dir) => isInside(dir, pyDir)) ? [pyDir] : [];
  return {
    PATH: [...new Set([...extra, ...SYSTEM_PATH])].join(':'),
    HOME: home,
    TMPDIR: tmpDir,
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    PYTHONUNBUFFERED: '1',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}
