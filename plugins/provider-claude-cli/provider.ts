/**
 * The `claude-cli` provider: each model call runs `claude -p --output-format stream-json --verbose` with the prompt on
 * stdin and maps its NDJSON to provider events. The CLI is killed when the call is aborted or runs too long.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { AppError, forbidden, type PluginContext, type ProviderDefinition, type ProviderEvent, type ProviderRequest, type User } from '../../core/plugin-api/index.ts';
import { childEnv } from './child-env.ts';
import { findCli } from './locate.ts';
import { buildPrompt } from './prompt.ts';
import type { Settings } from './settings.ts';
import { StreamJsonMapper } from './stream-json.ts';

/** `claude-cli/default` runs the CLI's own default model; others pass their last part as `--model`. */
export const MODELS = ['claude-cli/default', 'claude-cli/sonnet', 'claude-cli/opus', 'claude-cli/haiku'];
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:[\]-]{0,99}$/;
/** System prompts longer than this go into the prompt text rather than an argument (argv limits). */
const MAX_SYSTEM_ARG = 32_000;

/** The CLI's arguments for one call. */
export function cliArgs(request: ProviderRequest, settings: Settings): { args: string[]; systemInPrompt: boolean } {
  const args = ['-p', '--output-format', 'stream-json', '--verbose'];
  if (settings.partial_messages) args.push('--include-partial-messages');
  const model = request.model.replace(/^claude-cli\//, '');
  if (model && model !== 'default') {
    if (!MODEL_NAME.test(model)) throw new AppError(400, 'UNKNOWN_MODEL', `claude-cli: invalid model name "${model.slice(0, 100)}"`);
    args.push('--model', model);
  }
  const systemInPrompt = !!request.system && request.system.length > MAX_SYSTEM_ARG;
  if (request.system && !systemInPrompt) args.push('--append-system-prompt', request.system);
  return { args, systemInPrompt };
}

/** A plain user may use the CLI when an admin named them (by id, or by email in any case) in `allowed_users`. */
export function allowedUser(settings: Settings, user: User): boolean {
  const email = user.email?.toLowerCase();
  return settings.allowed_users.some((entry) => entry === user.id || (!!email && entry.toLowerCase() === email));
}

/** One running CLI: its output lines, its exit, its stderr tail; killed on abort, at the deadline, or by `stop`. */
interface CliRun {
  lines: AsyncIterable<string>;
  exited: Promise<number | null>;
  stderr(): string;
  readonly timedOut: boolean;
  /** Kills the CLI if it still runs and waits for it to exit. */
  stop(): Promise<void>;
}

function startCli(argv: string[], cwd: string, env: NodeJS.ProcessEnv, prompt: string, timeoutMs: number, signal: AbortSignal): CliRun {
  const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4_000)));
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (code) => resolve(code));
    child.on('error', (error) => {
      stderr += String(error);
      resolve(null);
    });
  });
  let killTimer: NodeJS.Timeout | undefined;
  const kill = () => {
    if (child.exitCode !== null || child.signalCode) return;
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
  };
  let timedOut = false;
  const deadline = setTimeout(() => ((timedOut = true), kill()), timeoutMs).unref();
  signal.addEventListener('abort', kill, { once: true });
  child.stdin.on('error', () => {}); // the CLI may exit before reading everything
  child.stdin.end(prompt);
  return {
    lines: createInterface({ input: child.stdout, crlfDelay: Infinity }),
    exited,
    stderr: () => stderr,
    get timedOut() {
      return timedOut;
    },
    async stop() {
      signal.removeEventListener('abort', kill);
      clearTimeout(deadline);
      kill();
      await exited;
      if (killTimer) clearTimeout(killTimer);
    },
  };
}

/** Maps the CLI's NDJSON to provider events; a run without a result message is a timeout or a provider error. */
async function* mapCliOutput(run: CliRun, settings: Settings, signal: AbortSignal): AsyncGenerator<ProviderEvent> {
  const mapper = new StreamJsonMapper(settings.tool_notes);
  for await (const line of run.lines) {
    if (signal.aborted) break;
    for (const ev of mapper.line(line)) yield ev;
  }
  const code = await run.exited;
  if (signal.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
  for (const ev of mapper.flush()) yield ev;
  if (!mapper.result) {
    if (run.timedOut) throw new AppError(504, 'PROVIDER_TIMEOUT', `claude-cli: no answer within ${settings.timeout_ms} ms`);
    const detail = run.stderr().trim().split('\n').slice(-3).join(' ').slice(0, 500) || `exit code ${code}`;
    throw new AppError(502, 'PROVIDER_ERROR', `claude-cli: ${detail}`, { provider: 'claude-cli', exitCode: code });
  }
  yield { type: 'stop', reason: mapper.result.subtype === 'error_max_turns' ? 'max_tokens' : 'end_turn' };
}

export function createProvider(ctx: PluginContext<Settings>, workdir: (userId: string) => Promise<string>): ProviderDefinition {
  return {
    id: 'claude-cli',
    label: 'Claude Code CLI',
    prefixes: ['claude-cli/'],
    models: MODELS,
    /** Not a secret: declared so an admin may point at the binary through `/api/keys`. */
    envKeys: ['CLAUDE_CLI_PATH'],
    acceptsAnyModel: true,
    access: (user) => allowedUser(ctx.settings.get(), user),
    isConfigured: () => findCli() !== null,
    async *stream(request, signal): AsyncGenerator<ProviderEvent> {
      const bin = findCli();
      if (!bin) throw new AppError(503, 'PROVIDER_NOT_CONFIGURED', 'claude-cli: the claude CLI was not found (PATH or CLAUDE_CLI_PATH)');
      // Without a user there is no folder of theirs to work in; a shared one is what this refuses to have.
      if (!request.userId) throw forbidden('claude-cli: a call needs the signed-in user', 'PROVIDER_FORBIDDEN');
      const settings = ctx.settings.get();
      const { args, systemInPrompt } = cliArgs(request, settings);
      const prompt = buildPrompt(request.messages, systemInPrompt ? request.system : undefined);
      const cwd = await workdir(request.userId);
      // In a mount namespace where the data folder (but this folder) and the keys file are hidden and the
      // installation is read-only: the CLI's own tools (a shell) act for this user only.
      const { argv } = await ctx.workspace.hostProgram(request.userId, cwd, [bin, ...args]);
      const run = startCli(argv, cwd, childEnv(settings.use_api_key), prompt, settings.timeout_ms, signal);
      try {
        yield* mapCliOutput(run, settings, signal);
      } finally {
        await run.stop(); // a consumer that stopped early must not leave the CLI running
      }
    },
  };
}
