/**
 * The agent's execution tools, `execute_code` and `run_command`. Both ask the user first: approval is skipped only for a
 * paying user (pro/enterprise) whom an admin listed in the global setting `exec_approval_off_users`.
 */
import type { PluginContext, ToolCallContext } from '../../core/plugin-api/index.ts';
import { ExecuteCodeInput, RunCommandInput } from './schemas.ts';

/** Characters of stdout / stderr a tool result carries at most. */
const MAX_TOOL_OUTPUT = 20_000;
/** The tool's own deadline sits above the longest run the service allows, so the sandbox's timeout answers first. */
const TOOL_TIMEOUT_MS = 130_000;

const clip = (text: string) =>
  text.length <= MAX_TOOL_OUTPUT ? text : `${text.slice(0, MAX_TOOL_OUTPUT)}\n[truncated: ${text.length - MAX_TOOL_OUTPUT} more characters]`;

/** True unless the user is paying and listed in `exec_approval_off_users` (fails closed on odd settings). */
export function execNeedsApproval(ctx: PluginContext, call: ToolCallContext): boolean {
  const off = ctx.host.settings.get().exec_approval_off_users;
  return !(call.user.plan !== 'free' && Array.isArray(off) && off.includes(call.user.id));
}

export function registerCodeTools(ctx: PluginContext): void {
  const run = async (userId: string, language: string, code: string, timeoutMs: number, signal: AbortSignal) => {
    const r = await ctx.workspace.execute(userId, { language, code, timeoutMs, signal });
    return { exitCode: r.exitCode, stdout: clip(r.stdout), stderr: clip(r.stderr), timedOut: r.timedOut, truncated: r.truncated, durationMs: r.durationMs };
  };

  ctx.tools.register({
    name: 'execute_code',
    description: "Run a Python, JavaScript (Node) or shell snippet in the user's workspace sandbox (no network, no secrets). Returns stdout, stderr and exitCode.",
    risk: 'exec',
    input: ExecuteCodeInput,
    needsApproval: (_a, call) => execNeedsApproval(ctx, call),
    timeoutMs: TOOL_TIMEOUT_MS,
    run: (a, call) => run(call.user.id, a.language, a.code, a.timeout ?? 30_000, call.signal),
  });

  ctx.tools.register({
    name: 'run_command',
    description: "Run a shell command line (bash) in the user's workspace folder, sandboxed. Returns stdout, stderr and exitCode.",
    risk: 'exec',
    input: RunCommandInput,
    needsApproval: (_a, call) => execNeedsApproval(ctx, call),
    timeoutMs: TOOL_TIMEOUT_MS,
    run: (a, call) => run(call.user.id, 'shell', a.command, a.timeout ?? 60_000, call.signal),
  });
}
