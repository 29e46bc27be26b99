/**
 * `GET /claude-cli/status` → `{ installed, authenticated, path, version }` and `POST /claude-cli/login` →
 * `{ ok, step, error?, message?, url? }` (admin; the steps the original client knows: `already_authenticated`, `browser_opened`,
 * `no_cli`, plus `launch_failed`). Login starts the CLI's own sign-in (`claude setup-token` by default) and
 * hands back the URL it prints, for the admin to open.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { PluginContext } from '../../core/plugin-api/index.ts';
import { childEnv } from './child-env.ts';
import { cliVersion, findCli, hasCredentials, probeAuth } from './locate.ts';
import type { Settings } from './settings.ts';

const URL_RE = /https:\/\/[^\s"'<>]+/;
/** How long login waits for the CLI to print a URL. */
const LOGIN_WAIT_MS = 8_000;
/** A login left unfinished is killed after this long. */
const LOGIN_MAX_MS = 10 * 60_000;
/** A probe result is reused this long (each probe is a real request). */
const PROBE_CACHE_MS = 60_000;

type LoginAnswer = Record<string, unknown>;

/** The CLI's first printed URL, with terminal colour codes removed. */
const printedUrl = (output: string) => URL_RE.exec(output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''))?.[0];

/**
 * Starts the CLI's sign-in. Answers with the URL it prints, with its exit if it ends first, or with "started" after
 * LOGIN_WAIT_MS; the process is left running for the admin to finish (killed after LOGIN_MAX_MS).
 */
function startLogin(bin: string, settings: Settings, cwd: string, onClose: (child: ChildProcess) => void): { child: ChildProcess; answer: Promise<LoginAnswer> } {
  const child = spawn(bin, settings.login_args, { cwd, env: childEnv(settings.use_api_key), stdio: ['pipe', 'pipe', 'pipe'] });
  const answer = new Promise<LoginAnswer>((resolve) => {
    let output = '';
    let settled = false;
    const done = (value: LoginAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(wait);
      resolve(value);
    };
    const onData = (d: Buffer) => {
      output = (output + d).slice(-8_000);
      const url = printedUrl(output);
      if (url) done({ ok: true, step: 'browser_opened', url, message: 'Open the URL to sign in; the status turns authenticated when done' });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('error', (error) => done({ ok: false, step: 'launch_failed', error: String(error.message).slice(0, 300), message: String(error.message).slice(0, 300) }));
    child.on('close', (code) => {
      onClose(child);
      done(code === 0 ? { ok: true, step: 'browser_opened', message: 'The CLI finished its sign-in' } : { ok: false, step: 'launch_failed', error: `claude exited with ${code}`, message: `claude exited with ${code}: ${output.trim().slice(-300)}` });
    });
    const wait = setTimeout(() => done({ ok: true, step: 'browser_opened', message: 'Sign-in started; follow the CLI on the server' }), LOGIN_WAIT_MS);
    setTimeout(() => child.kill('SIGTERM'), LOGIN_MAX_MS).unref();
  });
  return { child, answer };
}

export function registerRoutes(ctx: PluginContext<Settings>, workdir: (userId: string) => Promise<string>): void {
  let probe: { bin: string; at: number; ok: boolean } | undefined;
  let login: ChildProcess | undefined;
  ctx.onUnload(() => login?.kill('SIGTERM'));

  async function authenticated(bin: string, userId: string): Promise<boolean> {
    const { use_api_key } = ctx.settings.get();
    if (hasCredentials(use_api_key)) return true;
    if (probe && probe.bin === bin && Date.now() - probe.at < PROBE_CACHE_MS) return probe.ok;
    const ok = await probeAuth(bin, { cwd: await workdir(userId), env: childEnv(use_api_key) });
    probe = { bin, at: Date.now(), ok };
    return ok;
  }

  ctx.routes.get('/claude-cli/status', { access: 'admin', summary: 'Is the claude CLI installed and signed in?' }, async (_c, { user }) => {
    const bin = findCli();
    if (!bin) return { installed: false, authenticated: false, path: null, version: null };
    const env = childEnv(ctx.settings.get().use_api_key);
    const [version, auth] = await Promise.all([cliVersion(bin, env), authenticated(bin, user.id)]);
    return { installed: true, authenticated: auth, path: bin, version };
  });

  ctx.routes.post('/claude-cli/login', { access: 'admin', summary: 'Start the CLI sign-in' }, async (_c, { user }) => {
    const bin = findCli();
    if (!bin) {
      const error = 'The claude CLI is not installed: npm install -g @anthropic-ai/claude-code, or set CLAUDE_CLI_PATH';
      return { ok: false, step: 'no_cli', error, message: error };
    }
    probe = undefined;
    if (await authenticated(bin, user.id)) return { ok: true, step: 'already_authenticated' };
    login?.kill('SIGTERM');
    const started = startLogin(bin, ctx.settings.get(), await workdir(user.id), (child) => {
      if (login === child) login = undefined;
    });
    login = started.child;
    return started.answer;
  });
}
