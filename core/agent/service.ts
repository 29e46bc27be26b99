/**
 * The agent service behind `ctx.agent`: resolves provider and model, builds the system prompt and history, runs the
 * loop, saves the finished (or aborted) turn to the user's conversation, counts tokens, and tracks running turns so
 * `POST /api/stop` and disconnects can cancel them.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type {
  AgentApi,
  AgentEvent,
  AgentRunRequest,
  AgentTurnRequest,
  ChatMessage,
  DirectTool,
  DirectToolCall,
  DoneHook,
  TurnErrorHook,
  SystemContextHook,
  MemoryApi,
  PendingApproval,
  ProviderDefinition,
  User,
} from '../plugin-api/types.ts';
import { badRequest, notFound } from '../errors.ts';
import { limitsFor } from '../auth/plans.ts';
import type { UsageTracker } from '../auth/usage.ts';
import type { Conversations, NewMessage } from '../conversations.ts';
import type { Prompts } from '../prompts.ts';
import type { SettingsService } from '../settings.ts';
import type { Store } from '../store/store.ts';
import { Approvals, approvalWord, type ParkedTurn } from './approvals.ts';
import { callDirectTool, listDirectTools, type DirectToolDeps } from './direct-tools.ts';
import { agentLoop, newTurnRecord, type LoopOptions, type TurnRecord } from './loop.ts';
import { historyFrom, toUserContent } from './history.ts';
import { assistantMessage, refusalMessage, type ChatTurn, type RunningTurn } from './chat-turn.ts';
import { systemPrompt, thinkingBudget } from './system-prompt.ts';
import { permissionFor } from './permissions.ts';
import { fallbackAttempts, failedEarly, makeChecker, type Attempt } from './turn-options.ts';
import { channelAllowed } from './turn-settings.ts';
import { resolveModel, type ProviderLookup } from './model-resolution.ts';
import type { RegisteredTool } from './tool-registry.ts';

export interface AgentDeps {
  providers: ProviderLookup;
  tools(): Map<string, RegisteredTool>;
  toolResultHooks(): Array<(info: any) => void>;
  doneHooks(): DoneHook[];
  turnErrorHooks(): TurnErrorHook[];
  /** Plugins' per-turn system-prompt additions (focus, reflections …). */
  systemContextHooks(): SystemContextHook[];
  settings: SettingsService;
  prompts: Prompts;
  conversations: Conversations;
  usage: UsageTracker;
  store: Store;
  memory(): MemoryApi | undefined;
  log: Logger;
}

/** The registered tools limited to `names` (a sub-agent's tool subset, Coding mode's workspace tools). */
function subset(all: Map<string, RegisteredTool>, names: string[]): Map<string, RegisteredTool> {
  const wanted = new Set(names);
  return new Map([...all].filter(([name]) => wanted.has(name)));
}

export class AgentService implements AgentApi {
  readonly approvals = new Approvals();
  private running = new Map<string, Set<AbortController>>();

  constructor(private readonly deps: AgentDeps) {}

  /** Start tracking a turn: its own controller follows the caller's signal, and `stop()` can abort it. */
  private startRun(userId: string, callerSignal?: AbortSignal): RunningTurn {
    const controller = new AbortController();
    const onAbort = () => controller.abort(callerSignal?.reason);
    callerSignal?.addEventListener('abort', onAbort, { once: true });
    if (callerSignal?.aborted) controller.abort(callerSignal.reason);
    let set = this.running.get(userId);
    if (!set) this.running.set(userId, (set = new Set()));
    set.add(controller);
    return {
      signal: controller.signal,
      end: () => {
        callerSignal?.removeEventListener('abort', onAbort);
        set!.delete(controller);
        if (!set!.size) this.running.delete(userId);
      },
    };
  }

  /** One instance: the turns running here are all there are (a cluster replaces this, see core/cluster/wire-agent.ts). */
  async stopEverywhere(userId: string): Promise<number> {
    return this.stop(userId);
  }

  stop(userId: string): number {
    const set = this.running.get(userId);
    if (!set) return 0;
    for (const c of set) c.abort(new Error('stopped'));
    return set.size;
  }

  private get direct(): DirectToolDeps {
    return { tools: this.deps.tools, toolResultHooks: this.deps.toolResultHooks, timeoutMs: () => this.deps.settings.get().tool_timeout_ms };
  }

  toolsFor(user: User): Promise<DirectTool[]> {
    return listDirectTools(this.direct, user);
  }

  callTool(request: DirectToolCall): Promise<{ ok: boolean; result: unknown }> {
    return callDirectTool(this.direct, request);
  }

  /**
   * Answer a parked approval without a stream (`POST /api/chat/approve`): the turn continues in the background and is
   * saved to its conversation. False when the id is unknown, expired or another user's.
   */
  async approve(user: User, id: string, approved: boolean): Promise<boolean> {
    const turn = await this.approvals.whenParked(user.id, id);
    if (!turn || !(await this.approvals.claim(turn))) return false;
    const drain = async () => {
      for await (const _ev of this.run({ user, conversationId: turn.conversationId, message: '', approval: { id, approved }, channel: turn.channel })) { /* saved by run */ }
    };
    drain().catch((error) => this.deps.log.warn({ error: String(error?.message ?? error) }, 'background approval turn failed'));
    return true;
  }

  /** True while call `id` of this user waits for an answer. */
  isPending(userId: string, id: string): boolean {
    return this.approvals.isPending(userId, id);
  }

  pendingApprovals(userId: string, conversationId?: string): PendingApproval[] {
    return this.approvals.pendingFor(userId, conversationId);
  }

  private sessionDoc(userId: string) {
    return this.deps.store.forUser(userId).collection<{ id: string; conversationId: string }>('aion-session');
  }

  async currentSession(userId: string): Promise<string> {
    const doc = await this.sessionDoc(userId).get('session');
    if (doc && (await this.deps.conversations.forUser(userId).has(doc.conversationId))) return doc.conversationId;
    return this.resetSession(userId);
  }

  async resetSession(userId: string): Promise<string> {
    // Untitled: the first user message names it (core/conversations.ts), so the panel's list shows real titles.
    const c = await this.deps.conversations.forUser(userId).create({ mode: 'aion' });
    await this.sessionDoc(userId).put({ id: 'session', conversationId: c.id });
    return c.id;
  }

  /** Provider and model for a request (400 on unknown or unconfigured). */
  resolve(user: User, provider?: string, model?: string, message?: string): { provider: ProviderDefinition; model: string } {
    return resolveModel(this.deps.providers, this.deps.settings.get(), user, provider, model, message);
  }

  /**
   * What this message does to a parked approval of the conversation: an explicit answer (`approval`), a yes/no word, or
   * another message — which refuses the parked call (`refusal`, saved with this turn) and is then handled as new.
   */
  private async answerFor(req: AgentRunRequest, conversationId: string): Promise<{ answer?: { turn: ParkedTurn; approved: boolean }; refusal?: NewMessage }> {
    const { user } = req;
    if (req.approval) {
      const turn = await this.approvals.whenParked(user.id, req.approval.id);
      if (!turn || !(await this.approvals.take(turn))) throw notFound('No pending approval with this id', 'APPROVAL_NOT_FOUND');
      return { answer: { turn, approved: req.approval.approved } };
    }
    const turn = this.approvals.forConversation(user.id, conversationId);
    if (!turn) return {};
    const word = req.images?.length ? 'other' : approvalWord(req.message);
    if (!(await this.approvals.take(turn))) return {};
    if (word !== 'other') return { answer: { turn, approved: word === 'yes' } };
    return { refusal: refusalMessage(turn) };
  }

  /**
   * Everything a chat turn needs before the model runs, read in one trip to the conversation: which conversation and
   * channel, the parked approval it answers, the models to try, and the messages to send.
   */
  private async openTurn(req: AgentRunRequest, conversationId: string, channel: string): Promise<ChatTurn> {
    const { user } = req;
    const settings = this.deps.settings.get();
    const { answer, refusal } = await this.answerFor(req, conversationId);
    const before: NewMessage[] = refusal ? [refusal] : [];
    try {
      const first = answer ? this.resolve(user, answer.turn.provider, answer.turn.model) : this.resolve(user, req.provider, req.model, req.message);
      const stored = await this.deps.conversations.forUser(user.id).loadForTurn(conversationId);
      if (!stored.exists && !/^[A-Za-z0-9_-]{1,128}$/.test(conversationId)) throw badRequest('Invalid conversationId');
      const userContent = answer ? [] : toUserContent(req);
      if (!answer) before.push({ role: 'user', content: userContent.length === 1 && userContent[0].type === 'text' ? req.message : userContent, metadata: { channel } });
      const messages: ChatMessage[] = answer
        ? answer.turn.messages
        : [...historyFrom([...stored.messages, ...before.slice(0, -1)], settings.max_history_turns), { role: 'user', content: userContent.length ? userContent : req.message }];
      // A parked turn continues on the model that asked; an explicit choice is not replaced by the fallback chain.
      const attempts = answer || req.provider || req.model ? [first] : fallbackAttempts(first, settings, user, (u, p, m) => this.resolve(u, p, m));
      return { req, user, conversationId, channel, answer, attempts, used: first, messages, before, isNew: !stored.exists };
    } catch (error) {
      // The refused call's results still belong in the conversation, so the model's history stays whole.
      if (refusal) await this.deps.conversations.forUser(user.id).saveTurn(conversationId, { messages: [refusal] }).catch(() => undefined);
      throw error;
    }
  }

  /**
   * The whole loop for AION chat and channels, top-down: open the turn (model, history), run the loop (with the
   * fallback chain), save the turn once, then tell the caller. A turn that needs approval parks (`approvals.ts`).
   */
  async *run(req: AgentRunRequest): AsyncGenerator<AgentEvent> {
    const { user } = req;
    const conversationId = req.conversationId ?? (await this.currentSession(user.id));
    // The conversation's previous turn announced approvals it has not parked yet: this message may answer them.
    const announced = this.approvals.settledIn(user.id, conversationId);
    if (announced) await announced;
    const channel = req.channel ?? this.approvals.forConversation(user.id, conversationId)?.channel ?? 'web';
    if (!channelAllowed(this.deps.settings.get(), channel)) {
      // As the original: the refusal is the stream's error, so its client shows it.
      yield { type: 'start', messageId: randomUUID(), conversationId, provider: '', model: '' };
      yield { type: 'error', code: 'CHANNEL_NOT_ALLOWED', message: `The channel ${channel} is not in the channel allowlist` };
      return;
    }
    const turn = await this.openTurn(req, conversationId, channel);
    const running = this.startRun(user.id, req.signal);
    const record = newTurnRecord();
    try {
      yield { type: 'start', messageId: randomUUID(), conversationId, provider: turn.used.provider.id, model: turn.used.model };
      const system = turn.answer ? turn.answer.turn.system : await systemPrompt(this.deps, user, req.message, req.system, { conversationId, channel });
      // The fallback chain runs here rather than in a generator of its own: every event of the turn would pass it.
      const check = turn.answer ? undefined : makeChecker(this.deps.settings.get(), user, req.message, (u, p, m) => this.resolve(u, p, m), running.signal);
      for (let i = 0; i < turn.attempts.length; i++) {
        turn.used = turn.attempts[i];
        yield* agentLoop(this.chatLoopOptions(turn, system, running.signal, check), record);
        const failover = this.nextAttempt(turn, i, record, running.signal);
        if (!failover) break;
        yield failover;
      }
      if (record.parked) await this.park(record, turn, system);
      await this.saveTurn(turn, record);
      yield* this.finish(record, turn);
    } finally {
      running.end();
      this.approvals.settle(user.id, conversationId);
      if (running.signal.aborted && record.stopReason !== 'aborted' && !record.saved) record.stopReason = 'aborted';
      await this.saveTurn(turn, record).catch(() => {});
    }
  }

  /** After attempt `i` failed before producing anything: the notice that hands the turn to the next model, if any. */
  private nextAttempt(turn: ChatTurn, i: number, record: TurnRecord, signal: AbortSignal): AgentEvent | undefined {
    const next = turn.attempts[i + 1];
    if (!next || !failedEarly(record) || signal.aborted) return undefined;
    this.deps.log.warn({ model: turn.used.model, next: next.model, code: record.error?.code }, 'model failed; trying the fallback');
    const notice: AgentEvent = { type: 'notice', trigger: 'failover', text: `${turn.used.model} failed (${record.error?.message}); trying ${next.model}` };
    Object.assign(record, newTurnRecord(), { error: undefined });
    return notice;
  }

  /** The loop's options for a chat turn on the model it is about to try. */
  private chatLoopOptions(turn: ChatTurn, system: string, signal: AbortSignal, check: LoopOptions['check']): LoopOptions {
    const { user, req, used, answer } = turn;
    const settings = this.deps.settings.get();
    const limits = limitsFor(user);
    return {
      user, conversationId: turn.conversationId, provider: used.provider, model: used.model, system, messages: turn.messages, check,
      tools: req.tools ? subset(this.deps.tools(), req.tools) : this.deps.tools(),
      maxSteps: Math.max(1, Math.min(settings.max_steps, req.maxSteps ?? settings.max_steps)),
      maxTokens: Math.min(settings.max_tokens, limits.maxTokens),
      thinkingBudget: thinkingBudget(this.deps.settings.get(), user, used.model, undefined, undefined, turn.channel),
      toolCallLimit: limits.toolCallsPerMessage,
      toolTimeoutMs: settings.tool_timeout_ms,
      signal,
      permission: (tool) => permissionFor(this.deps.store, user.id, { name: tool.def.name, risk: tool.def.risk }),
      resume: answer ? { calls: answer.turn.calls, results: answer.turn.results, pendingIds: new Set(answer.turn.pending.map((p) => p.id)), approved: answer.approved } : undefined,
      onToolResult: this.toolResultReporter(user, used.model),
      announce: (ids) => this.approvals.announce(user.id, turn.conversationId, ids),
    };
  }

  /** Calls every tool-result hook with a finished call; a failing hook never breaks a turn. */
  private toolResultReporter(user: User, model: string): NonNullable<LoopOptions['onToolResult']> {
    const hooks = this.deps.toolResultHooks();
    return (info) => {
      for (const h of hooks) {
        try {
          h({ ...info, user, model });
        } catch { /* a hook never breaks a turn */ }
      }
    };
  }

  private park(record: TurnRecord, turn: ChatTurn, system: string): Promise<void> {
    const p = record.parked!;
    return this.approvals.park(
      {
        userId: turn.user.id, conversationId: turn.conversationId, channel: turn.channel, provider: turn.used.provider.id, model: turn.used.model,
        system, messages: p.messages, calls: p.calls, results: p.results, pending: p.pending, parkedAt: Date.now(),
      },
      this.deps.settings.get().approval_timeout_ms,
    );
  }

  /** After the save: usage, then the error or `done` (done hooks run first, except for a stopped turn). */
  private async *finish(record: TurnRecord, turn: ChatTurn): AsyncGenerator<AgentEvent> {
    if (record.usage.inputTokens || record.usage.outputTokens) yield { type: 'usage', ...record.usage };
    if (record.error) {
      for (const hook of this.deps.turnErrorHooks()) hook(record.error, { user: turn.user, conversationId: turn.conversationId, channel: turn.channel });
      yield { type: 'error', ...record.error };
      return;
    }
    const done: Extract<AgentEvent, { type: 'done' }> = {
      type: 'done',
      text: record.text,
      blocks: record.blocks,
      stopReason: record.stopReason,
      ...(record.parked ? { approvalPending: true } : {}),
    };
    if (record.stopReason !== 'aborted') {
      for (const hook of this.deps.doneHooks()) {
        try {
          await hook(done, { user: turn.user, conversationId: turn.conversationId, channel: turn.channel });
        } catch (error) {
          this.deps.log.warn({ error: String(error) }, 'done hook failed');
        }
      }
    }
    yield done;
  }

  /**
   * Save the turn, once: the messages before its answer, the answer (when there is one: text, blocks, a stop or an
   * error), in one write of the conversation, and its tokens in the user's usage. Durable before `done` is sent.
   */
  private async saveTurn(turn: ChatTurn, record: TurnRecord): Promise<void> {
    if (record.saved) return;
    record.saved = true;
    const answered = record.blocks.length || record.text || record.stopReason === 'aborted' || record.error;
    const messages = answered ? [...turn.before, assistantMessage(record, turn)] : turn.before;
    await Promise.all([
      this.deps.usage.addTokens(turn.user.id, record.usage.inputTokens + record.usage.outputTokens),
      this.deps.conversations.forUser(turn.user.id).saveTurn(turn.conversationId, {
        messages,
        // Untitled: the first user message names it, so the panel's list shows real titles.
        create: turn.isNew ? { mode: 'aion' } : undefined,
      }),
    ]);
  }

  /**
   * One model turn with client tools (ALIN), or a server-side loop over `serverTools` (Coding mode). Nothing is saved
   * (the ALIN client keeps its conversation); tokens are counted.
   */
  async *runTurn(req: AgentTurnRequest): AsyncGenerator<AgentEvent> {
    const { user } = req;
    const lastUser = [...req.messages].reverse().find((m) => m.role === 'user');
    const chosen = this.resolve(user, req.provider, req.model, typeof lastUser?.content === 'string' ? lastUser.content : '');
    const running = this.startRun(user.id, req.signal);
    const record = newTurnRecord();
    try {
      yield { type: 'start', messageId: randomUUID(), conversationId: req.conversationId ?? '', provider: chosen.provider.id, model: chosen.model };
      yield* agentLoop(await this.turnLoopOptions(req, chosen, running.signal), record);
      await this.deps.usage.addTokens(user.id, record.usage.inputTokens + record.usage.outputTokens);
      yield { type: 'usage', ...record.usage };
      if (record.error) yield { type: 'error', ...record.error };
      else yield { type: 'done', text: record.text, blocks: record.blocks, stopReason: running.signal.aborted ? 'aborted' : record.stopReason };
    } finally {
      running.end();
    }
  }

  /** The loop's options for `runTurn`: the client's tools for one model call, or the named server tools in a loop. */
  private async turnLoopOptions(req: AgentTurnRequest, { provider, model }: Attempt, signal: AbortSignal): Promise<LoopOptions> {
    const { user } = req;
    const settings = this.deps.settings.get();
    const limits = limitsFor(user);
    const server = !!req.serverTools;
    const clientTools = (req.tools ?? []).map((t) => ({ name: t.name, description: t.description ?? '', inputSchema: t.input_schema ?? t.inputSchema ?? { type: 'object', properties: {} } }));
    return {
      user, conversationId: req.conversationId ?? '', provider, model,
      system: req.system ?? (await this.deps.prompts.system()),
      messages: req.messages,
      tools: server ? subset(this.deps.tools(), req.serverTools!) : new Map(),
      clientTools: server ? undefined : clientTools,
      maxSteps: server ? settings.max_steps : 1,
      maxTokens: Math.min(req.maxTokens ?? settings.max_tokens, limits.maxTokens),
      temperature: req.temperature,
      thinkingBudget: req.thinking || req.thinkingBudget ? thinkingBudget(this.deps.settings.get(), user, model, req.thinkingBudget, true) : undefined,
      toolCallLimit: limits.toolCallsPerMessage,
      toolTimeoutMs: server ? settings.tool_timeout_ms : 0,
      signal,
      onToolResult: server ? this.toolResultReporter(user, model) : undefined,
    };
  }
}

