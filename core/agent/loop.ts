/**
 * The agent loop: stream a model call, run the server-side tools it asks for (validated, approved, concurrently — see
 * `tool-calls.ts`), feed the results back, repeat until the model stops or `maxSteps` is reached. Yields
 * `AgentEvent`s; never throws for provider or tool failures (they become an `error` event or an `ok:false` tool result).
 */
import { scrubSecrets } from '../secret-scrubber.ts';
import type { AgentEvent, ChatMessage, ContentBlock, ProviderEvent, StopReason, Usage } from '../plugin-api/types.ts';
import type { ThinkingBlock, ToolResultBlock, ToolUseBlock } from './events.ts';
import { CHECK_NUDGE } from './turn-settings.ts';
import type { LoopOptions, TurnRecord } from './loop-types.ts';
import { runCalls } from './tool-calls.ts';

export { newTurnRecord, type LoopOptions, type TurnRecord } from './loop-types.ts';

/**
 * One model call's blocks, collected in stream order (text is merged until a thinking block or tool call cuts it).
 * The turn's text and thinking are the one place deltas are appended (a string node per delta, held while the stream
 * is open); a block takes its part of them when it is cut (`slice`, which shares the turn's characters), so the same
 * text is not accumulated a second time per step.
 */
class StepBlocks {
  readonly blocks: ContentBlock[] = [];
  readonly calls: ToolUseBlock[] = [];
  stop: StopReason = 'end_turn';
  /** Where the open text block starts in the turn's text. */
  private textStart: number;
  private thinking: ThinkingBlock | undefined;
  /** Where the open thinking block starts in the turn's thinking. */
  private thinkingStart = 0;

  constructor(private readonly record: TurnRecord) {
    this.textStart = record.text.length;
  }

  /** Take one provider event; returns it when it goes on to the caller as it is. */
  add(ev: ProviderEvent): AgentEvent | undefined {
    const record = this.record;
    switch (ev.type) {
      case 'text':
        record.text += ev.delta;
        return ev;
      case 'thinking_start':
        this.flushText();
        this.openThinking();
        return ev;
      case 'thinking':
        if (!this.thinking) this.openThinking();
        record.thinking += ev.delta;
        return ev;
      case 'thinking_end':
        // A signature without streamed text (Gemini) still needs its block, in order, for the next call.
        if (!this.thinking && ev.signature) this.openThinking();
        if (this.thinking) {
          if (ev.signature) this.thinking.signature = ev.signature;
          this.closeThinking();
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
    if (this.thinking) this.closeThinking();
    this.flushText();
    this.record.blocks.push(...this.blocks);
  }

  /** The step's answer text (what the check model reads). */
  answer(): string {
    return this.blocks.map((b) => (b.type === 'text' ? b.text : '')).join('');
  }

  private flushText(): void {
    const text = this.record.text;
    if (text.length > this.textStart) this.blocks.push({ type: 'text', text: text.slice(this.textStart) });
    this.textStart = text.length;
  }

  private openThinking(): void {
    this.thinking = { type: 'thinking', thinking: '' };
    this.thinkingStart = this.record.thinking.length;
  }

  /** The open thinking block, with its text, goes into the step's blocks. */
  private closeThinking(): void {
    this.thinking!.thinking = this.record.thinking.slice(this.thinkingStart);
    this.blocks.push(this.thinking!);
    this.thinking = undefined;
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

/** Start one model call (the provider's event stream). */
function callModel(opts: LoopOptions, messages: ChatMessage[], toolDefs: ToolDefs): AsyncIterable<ProviderEvent> {
  return opts.provider.stream(
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
}

/** End a model call's step: false when the turn ends here (aborted or failed: `failure` is what the stream threw). */
function endStep(step: StepBlocks, opts: LoopOptions, record: TurnRecord, failure?: { error: unknown }): boolean {
  step.close();
  if (failure) {
    failStep(record, failure.error, opts.signal);
    return false;
  }
  if (opts.signal.aborted) {
    record.stopReason = 'aborted';
    return false;
  }
  record.stopReason = step.calls.length && step.stop !== 'max_tokens' ? 'tool_use' : step.stop === 'tool_use' ? 'end_turn' : step.stop;
  return true;
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
    // The model call streams here, not in a generator of its own: each of its events would pass one more layer.
    const step = new StepBlocks(record);
    let failure: { error: unknown } | undefined;
    try {
      for await (const ev of callModel(opts, messages, toolDefs)) {
        if (opts.signal.aborted) break;
        const out = step.add(ev);
        if (out) yield out;
      }
    } catch (error) {
      failure = { error };
    }
    if (!endStep(step, opts, record, failure)) return;
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
