/**
 * Finding and probing the `claude` binary: `CLAUDE_CLI_PATH` when set, else the first executable `claude` on `PATH`.
 * The lookup is cached briefly because `isConfigured()` is asked on every request.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

let cached: { at: number; path: string | null; key: string } | undefined;
const CACHE_MS = 5_000;

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The CLI's absolute path, or `null`. */
export function findCli(): string | null {
  const key = `${process.env.CLAUDE_CLI_PATH ?? ''}|${process.env.PATH ?? ''}`;
  if (cached && cached.key === key && Date.now() - cached.at < CACHE_MS) return cached.path;
  let found: string | null = null;
  const configured = process.env.CLAUDE_CLI_PATH?.trim();
  if (configured) {
    found = executable(configured) ? path.resolve(configured) : null;
  } else {
    const names = process.platform === 'win32' ? ['claude.cmd', 'claude.exe', 'claude'] : ['claude'];
    outer: for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
      for (const name of names) {
        const file = path.join(dir, name);
        if (executable(file)) {
          found = file;
          break outer;
        }
      }
    }
  }
  cached = { at: Date.now(), path: found, key };
  return found;
}

/** Run the CLI with `args`, collecting output; killed after `timeoutMs`. Never throws. */
export function runCli(bin: string, args: string[], timeoutMs: number, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let child;
    try {
      child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd, env: opts.env ?? process.env });
    } catch (error) {
      return resolve({ code: null, stdout, stderr: String(error), timedOut });
    }
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d) => (stdout = (stdout + d).slice(-65_536)));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-65_536)));
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: stderr + String(error), timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** `claude --version` → `2.0.14 (Claude Code)` → `2.0.14`. */
export async function cliVersion(bin: string, env?: NodeJS.ProcessEnv): Promise<string | null> {
  const r = await runCli(bin, ['--version'], 10_000, { env });
  if (r.code !== 0) return null;
  return /\d+\.\d+\.\d+[\w.-]*/.exec(r.stdout)?.[0] ?? (r.stdout.trim().slice(0, 64) || null);
}

/**
 * Signs of a login without spending a request: an API key or OAuth token in the environment, or Claude Code's
 * credentials file. (On macOS the credentials live in the keychain; there the probe below decides.)
 */
export function hasCredentials(useApiKey: boolean): boolean {
  if ((useApiKey && process.env.ANTHROPIC_API_KEY) || process.env.CLAUDE_CODE_OAUTH_TOKEN) return true;
  const dir = process.env.CLAUDE_CONFIG_DIR || path.join(homedir(), '.claude');
  return existsSync(path.join(dir, '.credentials.json'));
}

/** The original's probe: a tiny prompt must succeed within 10 s. */
export async function probeAuth(bin: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<boolean> {
  const r = await runCli(bin, ['-p', '--model', 'haiku', 'ping'], 10_000, opts);
  return r.code === 0 && !r.timedOut;
}
