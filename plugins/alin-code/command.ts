/**
 * `POST /api/command/execute { command, workingDirectory?, timeout? }` — the original's shell endpoint, answered in
 * its shape `{ success, stdout, stderr, exitCode, duration, truncated }` (plus our `durationMs`, `timedOut`). The
 * command runs as `shell` through `ctx.workspace.execute`: the caller's workspace sandbox (no network, no secrets, the
 * data folder hidden, time/output/process limits). `workingDirectory` must resolve inside the workspace (else 400
 * PATH_OUTSIDE_WORKSPACE); the original's deny-list of destructive commands is not needed where nothing outside the
 * sandbox can be reached.
 */
import { z } from 'zod';
import { badRequest, type PluginContext } from '../../core/plugin-api/index.ts';
import { disconnectSignal } from './routes.ts';

/** The original's default and cap (60 s); the settings' `code_timeout_max_ms` may cap lower. */
const MAX_COMMAND_MS = 60_000;

const Body = z.object({
  command: z.string().max(100_000).optional(),
  workingDirectory: z.string().max(4096).optional(),
  timeout: z.number().int().positive().max(600_000).optional(),
});

/** Single-quote for bash: the folder name can hold anything, it is never interpreted. */
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function registerCommandRoute(ctx: PluginContext): void {
  ctx.routes.post('/command/execute', { summary: 'Run a shell command in the caller\'s sandboxed workspace (original body and answer)', body: Body }, async (c, { body, user }) => {
    if (!body.command || !body.command.trim()) throw badRequest('Command is required', { field: 'command' });
    let script = body.command;
    if (body.workingDirectory) {
      // Resolved and confined by the workspace service (realpath, symlinks); the relative result is what we cd into.
      const dir = await ctx.workspace.list(user.id, body.workingDirectory);
      if (dir.path && dir.path !== '.') script = `cd -- ${shellQuote(dir.path)} || exit 1\n${body.command}`;
    }
    const { signal, dispose } = disconnectSignal(c);
    try {
      const r = await ctx.workspace.execute(user.id, { language: 'shell', code: script, timeoutMs: Math.min(body.timeout ?? MAX_COMMAND_MS, MAX_COMMAND_MS), signal });
      return { success: true, stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, duration: r.durationMs, truncated: r.truncated, timedOut: r.timedOut, durationMs: r.durationMs };
    } finally {
      dispose();
    }
  });
}
