/**
 * The agent loop: stream a model call, run the server-side tools it asks for (validated, approved, concurrently),
 * feed the results back, repeat until the model stops or `maxSteps` is reached. Yields `AgentEvent`s; never throws
 * for provider or tool failures (they become an `error` event or an `ok:false` tool result).
 */
import { scrubDeep, scrubSecrets, scrubSecretValues } from '../secret-scrubber.ts';
import type {
  AgentEvent,
  ChatMessage,
  ContentBlock,
  ProviderDefinition,
  ProviderEvent,
  StopReason,
  User,
  Usage,
} from '../plugin-api/types.ts';
import type { ThinkingBlock, ToolResultBlock, ToolUseBlock } from './events.ts';
import { EventQueue } from './event-queue.ts';
import { CHECK_NUDGE } from './turn-settings.ts';
import type { RegisteredTool } from './tool-registry.ts';

export interface LoopOptions {
  user: User;
  conversationId: string;
  provider: ProviderDefinition;
  model: string;
  system: string;
  messages: ChatMessage[];
  /** Server-side tools; `undefined` = none. */
  tools: Map<string, RegisteredTool>;
  /** Client-side tools (ALIN): offered to the model, reported as tool calls, never run here. */
  clientTools?: Array<{ name: string; description: string; inputSchema: Record<string, unknown> }>;
  maxSteps: number;
  maxTokens: number;
  temperature?: number;
  thinkingBudget?: number;
  /** Tool calls allowed in this turn (plan limit); `null` = unlimited. */
  toolCallLimit: number | null;
  toolTimeoutMs: number;
  signal: AbortSignal;
  /** The user's permission for a tool (`/api/permissions`): deny refuses, ask always asks, allow/undefined = the tool's own rule. */
  permission?: (tool: RegisteredTool) => Promise<'allow' | 'ask' | 'deny' | undefined>;
  /** The check model's verdict on a final answer (setting `check_model`): true = it announced an action it never took. */
  check?: (answer: string) => Promise<boolean>;
  /** Continue a parked turn: run (or refuse) its waiting calls first, then go on with the model. */
  resume?: { calls: ToolUseBlock[]; results: Map<string, ToolResultBlock>; pendingIds: Set<string>; approved: boolean };
  onToolResult?: (info: { name: string; ok: boolean; durationMs: number; error?: string }) => void;
}

/** What the loop produced, for saving the turn. */
export interface TurnRecord {
  blocks: ContentBlock[];
  text: string;
  thinking: string;
  usage: Usage;
  stopReason: StopReason;
  toolCalls: Array<{ id: string; name: string; args: unknown; ok?: boolean; result?: unknown; durationMs?: number }>;
  error?: { code: string; message: string };
  /** Set when the turn stopped to ask for approval: what is needed to continue it. */
  parked?: { messages: ChatMessage[]; calls: ToolUseBlock[]; results: Map<string, ToolResultBlock>; pending: Array<{ id: string; name: string; args: Record<string, unknown>; message: string }> };
  /** Set once the turn has been written to the conversation. */
  saved?: boolean;
}

/** An empty record for a new turn. */
export function newTurnRecord(): TurnRecord {
  return { blocks: [], text: '', thinking: '', usage: { inputTokens: 0, outputTokens: 0 }, stopReason: 'end_turn', toolCalls: [] };
}

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
async function* runCalls(
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
    .then(() => {
      for (const p of calls.flatMap((c) => parked.filter((x) => x.id === c.id))) queue.push({ type: 'approval', ...p });
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

/** One model call's blocks, collected in stream order (text is merged until a thinking block or tool call cuts it). */
class StepBlocks {
  readonly blocks: ContentBlock[] = [];
  readonly calls: ToolUseBlock[] = [];
  stop: StopReason = 'end_turn';
  private text = '';
  private thinking: ThinkingBlock | undefined;

  constructor(private readonly record: TurnRecord) {}

  /** Take one provider event; returns it when it goes on to the caller as it is. */
  add(ev: ProviderEvent): AgentEvent | undefined {
    const record = this.record;
    switch (ev.type) {
      case 'text':
        this.text += ev.delta;
        record.text += ev.delta;
        return ev;
      case 'thinking_start':
        this.flushText();
        this.thinking = { type: 'thinking', thinking: '' };
        return ev;
      case 'thinking':
        this.thinking ??= { type: 'thinking', thinking: '' };
        this.thinking.thinking += ev.delta;
        record.thinking += ev.delta;
        return ev;
      case 'thinking_end':
        // A signature without streamed text (Gemini) still needs its block, in order, for the next call.
        if (!this.thinking && ev.signature) this.thinking = { type: 'thinking', thinking: '' };
        if (this.thinking) {
          if (ev.signature) this.thinking.signature = ev.signature;
          this.blocks.push(this.thinking);
          this.thinking = undefined;
        }
        return ev;
      case 'tool_call': {
        this.flushText();
        const block: ToolUseBlock = { type: 'tool_use', id: ev.id, name: ev.name, input: ev.args ?? {} };
        this.blocks.push(block);
        this.calls.push(block);
        record.toolCalls.push({ id: ev.id, name: ev.name, args: ev.args });
        return ev;
      }
      case 'usage':
        addUsage(record.usage, ev);
        return undefined;
      case 'stop':
        this.stop = ev.reason;
        return undefined;
    }
  }

  /** End the step: what is still open becomes a block, and the step's blocks join the turn's. */
  close(): void {
    if (this.thinking) this.blocks.push(this.thinking);
    this.thinking = undefined;
    this.flushText();
    this.record.blocks.push(...this.blocks);
  }

  /** The step's answer text (what the check model reads). */
  answer(): string {
    return this.blocks.map((b) => (b.type === 'text' ? b.text : '')).join('');
  }

  private flushText(): void {
    if (this.text) this.blocks.push({ type: 'text', text: this.text });
    this.text = '';
  }
}

function addUsage(total: Usage, ev: Usage): void {
  total.inputTokens += ev.inputTokens || 0;
  total.outputTokens += ev.outputTokens || 0;
  if (ev.cacheReadTokens) total.cacheReadTokens = (total.cacheReadTokens ?? 0) + ev.cacheReadTokens;
  if (ev.reasoningTokens) total.reasoningTokens = (total.reasoningTokens ?? 0) + ev.reasoningTokens;
}

type ToolDefs = Array<{ name: string; description: string; inputSchema: Record<string, unknown> }>;

/** The turn ended on a provider failure: aborted when the signal (or the error) says so, else a coded error. */
function failStep(record: TurnRecord, error: any, signal: AbortSignal): void {
  if (signal.aborted || error?.name === 'AbortError') {
    record.stopReason = 'aborted';
    return;
  }
  record.stopReason = 'error';
  const code = typeof error?.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(error.code) ? error.code : 'PROVIDER_ERROR';
  record.error = { code, message: error?.name === 'AppError' ? String(error.message) : providerMessage(error) };
}

/** Stream one model call into the record; `undefined` when the turn ends here (aborted or failed). */
async function* modelStep(opts: LoopOptions, messages: ChatMessage[], toolDefs: ToolDefs, record: TurnRecord): AsyncGenerator<AgentEvent, StepBlocks | undefined> {
  const step = new StepBlocks(record);
  try {
    const stream = opts.provider.stream(
      {
        model: opts.model,
        system: opts.system || undefined,
        messages,
        tools: toolDefs.length ? toolDefs : undefined,
        maxTokens: opts.maxTokens,
        temperature: opts.temperature,
        thinking: opts.thinkingBudget ? { budgetTokens: opts.thinkingBudget } : undefined,
        userId: opts.user.id,
      },
      opts.signal,
    );
    for await (const ev of stream) {
      if (opts.signal.aborted) break;
      const out = step.add(ev);
      if (out) yield out;
    }
  } catch (error) {
    step.close();
    failStep(record, error, opts.signal);
    return undefined;
  }
  step.close();
  if (opts.signal.aborted) {
    record.stopReason = 'aborted';
    return undefined;
  }
  record.stopReason = step.calls.length && step.stop !== 'max_tokens' ? 'tool_use' : step.stop === 'tool_use' ? 'end_turn' : step.stop;
  return step;
}

/**
 * Run a step's tool calls and feed their results to the model; false when the turn ends here (parked for approval,
 * cut short or aborted).
 */
async function* toolStep(step: StepBlocks, opts: LoopOptions, record: TurnRecord, messages: ChatMessage[], allowed: () => boolean): AsyncGenerator<AgentEvent, boolean> {
  messages.push({ role: 'assistant', content: step.blocks });
  const ran = yield* runCalls(step.calls, opts, record, allowed, new Map());
  if (ran.parked.length && !opts.signal.aborted) {
    record.parked = { messages: [...messages], calls: step.calls, results: ran.results, pending: ran.parked };
    record.stopReason = 'tool_use';
    return false;
  }
  if (!feedResults(step.calls, ran.results, messages, record) || opts.signal.aborted) {
    record.stopReason = 'aborted';
    return false;
  }
  return true;
}

/** Once per turn (setting `check_model`): does this final answer only announce an action, so the model is nudged? */
async function needsNudge(opts: LoopOptions, step: StepBlocks, stepIndex: number): Promise<boolean> {
  const answer = step.answer();
  if (!opts.check || !opts.tools.size || !answer || stepIndex >= opts.maxSteps - 1 || opts.signal.aborted) return false;
  return opts.check(answer).catch(() => false);
}

export async function* agentLoop(opts: LoopOptions, record: TurnRecord): AsyncGenerator<AgentEvent> {
  const messages = [...opts.messages];
  const toolDefs: ToolDefs = [
    ...[...opts.tools.values()].map((t) => ({ name: t.def.name, description: t.def.description, inputSchema: t.inputSchema })),
    ...(opts.clientTools ?? []),
  ];
  let toolCallsUsed = 0;
  const allowed = () => opts.toolCallLimit === null || ++toolCallsUsed <= opts.toolCallLimit;
  let checked = false;
  if (opts.resume && !(yield* resumeParked(opts, record, messages))) {
    record.stopReason = 'aborted';
    return;
  }
  for (let i = 0; i < opts.maxSteps; i++) {
    const step = yield* modelStep(opts, messages, toolDefs, record);
    if (!step) return;
    if (!step.calls.length) {
      if (checked || !(await needsNudge(opts, step, i))) return;
      checked = true;
      messages.push({ role: 'assistant', content: step.blocks }, { role: 'user', content: CHECK_NUDGE });
      continue;
    }
    // Client tools (ALIN): the model's turn ends here; the client runs them and continues.
    if (opts.clientTools) {
      record.stopReason = 'tool_use';
      return;
    }
    if (!(yield* toolStep(step, opts, record, messages, allowed))) return;
  }
}

/** Append a step's results (in call order) for the model; false when a call has none (the turn was cut short). */
function feedResults(calls: ToolUseBlock[], results: Map<string, ToolResultBlock>, messages: ChatMessage[], record: TurnRecord): boolean {
  const blocks = calls.map((c) => results.get(c.id));
  if (blocks.some((b) => !b)) return false;
  record.blocks.push(...(blocks as ToolResultBlock[]));
  messages.push({ role: 'user', content: blocks as ToolResultBlock[] });
  return true;
}

/** Continue a parked turn: the waiting calls run (or are refused), all results of that step go to the model. */
async function* resumeParked(opts: LoopOptions, record: TurnRecord, messages: ChatMessage[]): AsyncGenerator<AgentEvent, boolean> {
  const { calls, results, pendingIds, approved } = opts.resume!;
  const waiting = calls.filter((c) => pendingIds.has(c.id));
  for (const c of waiting) if (!record.toolCalls.some((t) => t.id === c.id)) record.toolCalls.push({ id: c.id, name: c.name, args: c.input });
  const decisions = new Map(waiting.map((c) => [c.id, approved] as const));
  const step = yield* runCalls(waiting, opts, record, () => true, decisions);
  const all = new Map([...results, ...step.results]);
  return feedResults(calls, all, messages, record) && !opts.signal.aborted;
}

/** A provider error's message without anything that could be a key. */
export function providerMessage(error: any): string {
  const status = error?.status ?? error?.statusCode;
  const raw = String(error?.error?.error?.message ?? error?.error?.message ?? error?.message ?? error).slice(0, 500);
  const clean = scrubSecrets(raw);
  return status ? `Provider error ${status}: ${clean}` : `Provider error: ${clean}`;
}
