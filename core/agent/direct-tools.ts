/**
 * Server-side tools called directly, outside a model turn (the MCP server endpoint): listed per user with their
 * approval need, and run with the same validation, approval rule (fail closed), timeout and hooks as in the loop.
 */
import type { DirectTool, DirectToolCall, ToolCallContext, User } from '../plugin-api/types.ts';
import { recordToolCall } from '../metrics/index.ts';
import type { RegisteredTool } from './tool-registry.ts';

export interface DirectToolDeps {
  tools(): Map<string, RegisteredTool>;
  toolResultHooks(): Array<(info: any) => void>;
  /** Default tool timeout (the `tool_timeout_ms` setting). */
  timeoutMs(): number;
}

function callContext(user: User, id: string, conversationId: string, signal: AbortSignal): ToolCallContext {
  return { id, user, conversationId, signal, emit: () => {} };
}

async function approvalNeeded(tool: RegisteredTool, args: unknown, call: ToolCallContext): Promise<boolean> {
  const rule = tool.def.needsApproval;
  if (typeof rule !== 'function') return rule === true;
  try {
    return (await rule(args as any, call)) !== false;
  } catch {
    return true;
  }
}

/** The tools as `user` may call them. */
export async function listDirectTools(deps: DirectToolDeps, user: User): Promise<DirectTool[]> {
  const out: DirectTool[] = [];
  const probe = callContext(user, 'list', 'direct', new AbortController().signal);
  for (const t of deps.tools().values()) {
    out.push({
      name: t.def.name, description: t.def.description, risk: t.def.risk, plugin: t.plugin, inputSchema: t.inputSchema,
      needsApproval: await approvalNeeded(t, {}, probe),
    });
  }
  return out;
}

function withDeadline<T>(work: Promise<T>, ms: number, name: string, controller: AbortController): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new Error('timeout'));
      reject(new Error(`Tool ${name} timed out after ${ms} ms`));
    }, ms);
    controller.signal.addEventListener('abort', () => reject(new Error(`Tool ${name} was cancelled`)), { once: true });
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Run one tool for a user. Failures are `{ ok: false, result: { error } }`. */
export async function callDirectTool(deps: DirectToolDeps, req: DirectToolCall): Promise<{ ok: boolean; result: unknown }> {
  const started = performance.now();
  const tool = deps.tools().get(req.name);
  const finish = (ok: boolean, result: unknown) => {
    const durationMs = Math.round(performance.now() - started);
    if (tool) recordToolCall(req.name, ok);
    for (const hook of deps.toolResultHooks()) {
      try {
        hook({ user: req.user, name: req.name, ok, durationMs, error: ok ? undefined : String((result as any)?.error ?? ''), model: 'direct' });
      } catch { /* a hook never breaks a call */ }
    }
    return { ok, result };
  };
  if (!tool) return { ok: false, result: { error: `Unknown tool: ${req.name}` } };
  const valid = tool.validate(req.args);
  if (!valid.ok) return finish(false, { error: valid.message });
  const controller = new AbortController();
  const onAbort = () => controller.abort(req.signal?.reason);
  req.signal?.addEventListener('abort', onAbort, { once: true });
  const call = callContext(req.user, `direct_${Date.now().toString(36)}`, req.conversationId ?? 'direct', controller.signal);
  try {
    if (await approvalNeeded(tool, valid.value, call)) {
      const message = `Allow ${tool.def.name} to run (${tool.def.risk})?`;
      const approved = req.confirm ? await req.confirm({ name: tool.def.name, args: valid.value, risk: tool.def.risk, message }).catch(() => false) : false;
      if (!approved) return finish(false, { error: `The user did not approve ${tool.def.name}` });
    }
    const result = await withDeadline(Promise.resolve().then(() => tool.def.run(valid.value, call)), tool.def.timeoutMs ?? deps.timeoutMs(), tool.def.name, controller);
    return finish(true, result === undefined ? null : result);
  } catch (error: any) {
    return finish(false, { error: String(error?.message ?? error) });
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
  }
}
