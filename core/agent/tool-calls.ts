/**
 * One step's tool calls: validated, permission- and approval-checked, run concurrently with a timeout and abort of
 * their own, results scrubbed of secrets and streamed as events. A call that needs approval parks instead of waiting.
 */
import { scrubDeep, scrubSecretValues } from '../secret-scrubber.ts';
import type { AgentEvent } from '../plugin-api/types.ts';
import type { ToolResultBlock, ToolUseBlock } from './events.ts';
import { EventQueue } from './event-queue.ts';
import type { LoopOptions, TurnRecord } from './loop-types.ts';
import type { RegisteredTool } from './tool-registry.ts';

const abortError = () => Object.assign(new Error('aborted'), { name: 'AbortError' });

/** Run a promise with a timeout and abort signal of its own. */
async function runTool(tool: RegisteredTool, args: unknown, opts: LoopOptions, id: string, queue: EventQueue<AgentEvent>) {
  const controller = new AbortController();
  const onAbort = () => controller.abort(opts.signal.reason);
  opts.signal.addEventListener('abort', onAbort, { once: true });
  const timeoutMs = tool.def.timeoutMs ?? opts.toolTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(() =>
        tool.def.run(args, {
          id,
          user: opts.user,
          conversationId: opts.conversationId,
          signal: controller.signal,
          emit: (p) => queue.push({ type: 'progress', id, percent: Math.max(0, Math.min(100, Number(p.percent) || 0)), label: p.label }),
          thought: (text, trigger = 'tool') => {
            if (typeof text === 'string' && text.trim()) queue.push({ type: 'notice', trigger: String(trigger).slice(0, 100), text: text.slice(0, 4000), callId: id });
          },
        }),
      ),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`Tool ${tool.def.name} timed out after ${timeoutMs} ms`));
          controller.abort(new Error('timeout'));
        }, timeoutMs);
        controller.signal.addEventListener('abort', () => reject(opts.signal.aborted ? abortError() : new Error(`Tool ${tool.def.name} was cancelled`)), { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    opts.signal.removeEventListener('abort', onAbort);
  }
}

async function needsApproval(tool: RegisteredTool, args: unknown, opts: LoopOptions, id: string): Promise<boolean> {
  const rule = tool.def.needsApproval;
  if (typeof rule !== 'function') return rule === true;
  try {
    return (await rule(args, { id, user: opts.user, conversationId: opts.conversationId, signal: opts.signal, emit: () => {} })) !== false;
  } catch {
    return true; // fail closed
  }
}

type CallOutcome = { ok: boolean; result: unknown; durationMs: number } | { parked: { id: string; name: string; args: Record<string, unknown>; message: string } };

/**
 * Execute one tool call end to end, pushing progress/result events. A call that needs approval is not run: it comes
 * back as `parked` (the turn ends and waits for the user's answer) unless `decision` already answers it.
 */
async function executeCall(call: ToolUseBlock, opts: LoopOptions, queue: EventQueue<AgentEvent>, allowed: boolean, decision?: boolean): Promise<CallOutcome> {
  const started = performance.now();
  const finish = (ok: boolean, raw: unknown) => {
    // What a tool returns reaches the user and the model: configured secrets never; an error not even a key-like string.
    const result = ok ? scrubDeep(raw, scrubSecretValues) : scrubDeep(raw);
    const durationMs = Math.round(performance.now() - started);
    queue.push({ type: 'tool_result', id: call.id, name: call.name, result, ok, durationMs });
    opts.onToolResult?.({ name: call.name, ok, durationMs, error: ok ? undefined : String((result as any)?.error ?? result) });
    return { ok, result, durationMs };
  };
  if (!allowed) return finish(false, { error: `Plan limit reached: at most ${opts.toolCallLimit} tool calls per message on the ${opts.user.plan} plan. Upgrade to use more.` });
  const tool = opts.tools.get(call.name);
  if (!tool) return finish(false, { error: `Unknown tool: ${call.name}` });
  const valid = tool.validate(call.input);
  if (!valid.ok) return finish(false, { error: valid.message });
  const permission = await opts.permission?.(tool).catch(() => 'ask' as const); // fail closed
  if (permission === 'deny') return finish(false, { error: `${call.name} is not allowed by your permissions` });
  if (decision === false) return finish(false, { error: `The user did not approve ${call.name}` });
  if (decision === undefined && (permission === 'ask' || (await needsApproval(tool, valid.value, opts, call.id)))) {
    return { parked: { id: call.id, name: call.name, args: call.input, message: approvalText(call.name, tool.def.risk, call.input) } };
  }
  try {
    const result = await runTool(tool, valid.value, opts, call.id, queue);
    return finish(true, result === undefined ? null : result);
  } catch (error: any) {
    return finish(false, { error: String(error?.message ?? error) });
  }
}

/** The question shown to the user (and sent as the approval's token, as the original did). */
function approvalText(name: string, risk: string, args: Record<string, unknown>): string {
  let shown = JSON.stringify(args ?? {});
  if (shown.length > 300) shown = `${shown.slice(0, 300)}…`;
  return `Allow ${name} to run (${risk})? ${shown}\nAnswer "ja" / "yes" to run it, "nein" / "no" to refuse.`;
}

/**
 * Run one step's tool calls concurrently, streaming their events. Calls that need approval are collected: the turn
 * parks (approval events after the other results) instead of waiting.
 */
export async function* runCalls(
  calls: ToolUseBlock[],
  opts: LoopOptions,
  record: TurnRecord,
  allowedFor: (call: ToolUseBlock) => boolean,
  decisions: Map<string, boolean>,
): AsyncGenerator<AgentEvent, { results: Map<string, ToolResultBlock>; parked: Array<{ id: string; name: string; args: Record<string, unknown>; message: string }> }> {
  const queue = new EventQueue<AgentEvent>();
  const results = new Map<string, ToolResultBlock>();
  const parked: Array<{ id: string; name: string; args: Record<string, unknown>; message: string }> = [];
  const running = Promise.all(
    calls.map(async (call) => {
      const r = await executeCall(call, opts, queue, allowedFor(call), decisions.get(call.id));
      if ('parked' in r) return void parked.push(r.parked);
      results.set(call.id, { type: 'tool_result', tool_use_id: call.id, content: resultText(r.result), ...(r.ok ? {} : { is_error: true }) });
      const rec = record.toolCalls.find((t) => t.id === call.id);
      if (rec) Object.assign(rec, { ok: r.ok, result: r.result, durationMs: r.durationMs });
    }),
  )
    .then(async () => {
      const asking = calls.flatMap((c) => parked.filter((x) => x.id === c.id));
      if (asking.length) await opts.announce?.(asking.map((p) => p.id));
      for (const p of asking) queue.push({ type: 'approval', ...p });
    })
    .finally(() => queue.close());
  for await (const ev of queue) yield ev;
  await running;
  return { results, parked };
}

/** Text for a tool result block (what the model sees). */
function resultText(result: unknown): string {
  if (typeof result === 'string') return result;
  try {
    return JSON.stringify(result) ?? 'null';
  } catch {
    return String(result);
  }
}

