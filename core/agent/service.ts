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
  ContentBlock,
  DirectTool,
  DirectToolCall,
  DoneHook,
  SystemContextHook,
  MemoryApi,
  ProviderDefinition,
  User,
} from '../plugin-api/types.ts';
import { badRequest, notFound } from '../errors.ts';
import { limitsFor } from '../auth/plans.ts';
import type { UsageTracker } from '../auth/usage.ts';
import type { Conversations, MessageRecord } from '../conversations.ts';
import type { Prompts } from '../prompts.ts';
import type { SettingsService } from '../settings.ts';
import type { Store } from '../store/store.ts';
import { formatMemoriesForPrompt } from '../memory/prompt.ts';
import { Approvals, approvalWord, type ParkedTurn } from './approvals.ts';
import { callDirectTool, listDirectTools, type DirectToolDeps } from './direct-tools.ts';
import { agentLoop, newTurnRecord, type TurnRecord } from './loop.ts';
import { permissionFor } from './permissions.ts';
import { fallbackAttempts, failedEarly, makeChecker } from './turn-options.ts';
import { channelAllowed, thinkingLevelFor } from './turn-settings.ts';
import { resolveModel, type ProviderLookup } from './model-resolution.ts';
import type { RegisteredTool } from './tool-registry.ts';

export interface AgentDeps {
  providers: ProviderLookup;
  tools(): Map<string, RegisteredTool>;
  toolResultHooks(): Array<(info: any) => void>;
  doneHooks(): DoneHook[];
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

/** The new user message as content blocks (images first, as the providers expect). */
function toUserContent(req: AgentRunRequest): ContentBlock[] {
  return [
    ...(req.images ?? []).map((img): ContentBlock =>
      'url' in img ? { type: 'image', source: { type: 'url', url: img.url } } : { type: 'image', source: { type: 'base64', media_type: img.mediaType, data: img.data } },
    ),
    ...(req.message ? [{ type: 'text' as const, text: req.message }] : []),
  ];
}

const THINKING_BUDGETS = { off: 0, minimal: 1024, standard: 4000, deep: 12000, ultra: 32000 } as const;

/** Split stored turn blocks back into alternating assistant / user(tool_result) messages. */
function blocksToMessages(blocks: ContentBlock[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const b of blocks) {
    if (b.type === 'thinking') continue;
    const role = b.type === 'tool_result' ? 'user' : 'assistant';
    const last = out[out.length - 1];
    if (last && last.role === role) (last.content as ContentBlock[]).push(b);
    else out.push({ role, content: [b] });
  }
  return out;
}

/** The conversation as the model sees it (last `maxTurns` user messages and what followed them). */
/** The registered tools limited to `names` (a sub-agent's tool subset). */
function subset(all: Map<string, RegisteredTool>, names: string[]): Map<string, RegisteredTool> {
  const wanted = new Set(names);
  return new Map([...all].filter(([name]) => wanted.has(name)));
}

export function historyFrom(records: ReadonlyArray<Readonly<MessageRecord>>, maxTurns: number): ChatMessage[] {
  const msgs: ChatMessage[] = [];
  for (const r of records) {
    if (r.role === 'user') msgs.push({ role: 'user', content: r.content as any });
    else if (r.role === 'assistant') {
      if (typeof r.content === 'string') msgs.push({ role: 'assistant', content: r.content });
      else msgs.push(...blocksToMessages(r.content as ContentBlock[]));
    }
  }
  // Keep whole turns: start at a plain user message.
  const starts = msgs.map((m, i) => (m.role === 'user' && !(Array.isArray(m.content) && m.content.some((b) => b.type === 'tool_result')) ? i : -1)).filter((i) => i >= 0);
  const from = starts.length > maxTurns ? starts[starts.length - maxTurns] : starts[0] ?? msgs.length;
  const kept = msgs.slice(from);
  // A turn cut short (aborted mid tool use) would leave dangling tool_use blocks: drop them.
  const whole = kept.filter((m, i) => {
    if (m.role !== 'assistant' || typeof m.content === 'string') return true;
    const uses = m.content.filter((b) => b.type === 'tool_use');
    if (!uses.length) return true;
    const next = kept[i + 1];
    return !!next && Array.isArray(next.content) && next.content.some((b) => b.type === 'tool_result');
  }).filter((m) => typeof m.content === 'string' ? m.content.length > 0 : m.content.length > 0);
  return mergeUserRuns(whole);
}

/** A refused approval leaves its tool results right before the next user message: one user message holds both. */
function mergeUserRuns(msgs: ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of msgs) {
    const last = out[out.length - 1];
    if (last && last.role === 'user' && m.role === 'user' && Array.isArray(last.content) && last.content.some((b) => b.type === 'tool_result')) {
      const extra: ContentBlock[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
      out[out.length - 1] = { role: 'user', content: [...last.content, ...extra] };
    } else out.push(m);
  }
  return out;
}

export class AgentService implements AgentApi {
  readonly approvals = new Approvals();
  private running = new Map<string, Set<AbortController>>();

  constructor(private readonly deps: AgentDeps) {}

  private track(userId: string, controller: AbortController): () => void {
    let set = this.running.get(userId);
    if (!set) this.running.set(userId, (set = new Set()));
    set.add(controller);
    return () => {
      set!.delete(controller);
      if (!set!.size) this.running.delete(userId);
    };
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
    const turn = this.approvals.byId(user.id, id);
    if (!turn || !(await this.approvals.claim(turn))) return false;
    const drain = async () => {
      for await (const _ev of this.run({ user, conversationId: turn.conversationId, message: '', approval: { id, approved }, channel: turn.channel })) { /* saved by run */ }
    };
    drain().catch((error) => this.deps.log.warn({ error: String(error?.message ?? error) }, 'background approval turn failed'));
    return true;
  }

  /** True while call `id` of this user waits for an answer. */
  isPending(userId: string, id: string): boolean {
    return this.approvals.has(userId, id);
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
    const c = await this.deps.conversations.forUser(userId).create({ title: 'AION session', mode: 'aion' });
    await this.sessionDoc(userId).put({ id: 'session', conversationId: c.id });
    return c.id;
  }

  /** Provider and model for a request (400 on unknown or unconfigured). */
  resolve(user: User, provider?: string, model?: string, message?: string): { provider: ProviderDefinition; model: string } {
    return resolveModel(this.deps.providers, this.deps.settings.get(), user, provider, model, message);
  }

  private async systemPrompt(user: User, message: string, extra?: string, turn?: { conversationId: string; channel: string }): Promise<string> {
    const parts = [await this.deps.prompts.system()];
    if (extra) parts.push(extra);
    if (turn) parts.push(...(await this.pluginContext(user, message, turn)));
    const settings = this.deps.settings.get();
    const memory = this.deps.memory();
    if (memory && settings.memory_inject && settings.memory_token_budget > 0 && message.trim()) {
      try {
        const { entries } = await memory.search(user.id, { search: message, limit: 5 });
        const block = formatMemoriesForPrompt(entries, settings.memory_token_budget);
        if (block) parts.push(block);
      } catch (error) {
        this.deps.log.warn({ error: String(error) }, 'memory recall for the system prompt failed');
      }
    }
    return parts.filter(Boolean).join('\n\n');
  }

  /** What plugins add for this turn; a failing hook adds nothing and never breaks the turn. */
  private async pluginContext(user: User, message: string, turn: { conversationId: string; channel: string }): Promise<string[]> {
    const out: string[] = [];
    for (const hook of this.deps.systemContextHooks()) {
      try {
        const text = await hook({ user, message, ...turn });
        if (typeof text === 'string' && text.trim()) out.push(text.trim());
      } catch (error) {
        this.deps.log.warn({ error: String((error as Error)?.message ?? error) }, 'a system-context hook failed');
      }
    }
    return out;
  }

  private thinkingBudget(user: User, model: string, requested?: number, enabled?: boolean, channel = 'web'): number | undefined {
    const cap = limitsFor(user).thinkingBudget;
    if (requested) return Math.min(requested, cap);
    if (enabled) return Math.min(4000, cap);
    const level = thinkingLevelFor(this.deps.settings.get(), model, channel);
    const budget = THINKING_BUDGETS[level] ?? 0;
    return budget ? Math.min(budget, cap) : undefined;
  }

  /**
   * What this message does to a parked approval of the conversation: an explicit answer (`approval`), a yes/no word, or
   * another message (which refuses the parked call and is then handled as new).
   */
  private async answerFor(req: AgentRunRequest, conversationId: string): Promise<{ turn: ParkedTurn; approved: boolean } | undefined> {
    const { user } = req;
    if (req.approval) {
      const turn = this.approvals.byId(user.id, req.approval.id);
      if (!turn || !(await this.approvals.take(turn))) throw notFound('No pending approval with this id', 'APPROVAL_NOT_FOUND');
      return { turn, approved: req.approval.approved };
    }
    const turn = this.approvals.forConversation(user.id, conversationId);
    if (!turn) return undefined;
    const word = req.images?.length ? 'other' : approvalWord(req.message);
    if (!(await this.approvals.take(turn))) return undefined;
    if (word !== 'other') return { turn, approved: word === 'yes' };
    await this.saveRefusal(turn);
    return undefined;
  }

  /** A parked call refused by another message: its results go into the conversation so the model's history stays whole. */
  private async saveRefusal(turn: ParkedTurn): Promise<void> {
    const blocks = turn.calls.map((c) =>
      turn.results.get(c.id) ?? { type: 'tool_result' as const, tool_use_id: c.id, content: JSON.stringify({ error: `The user did not approve ${c.name}` }), is_error: true },
    );
    await this.deps.conversations.forUser(turn.userId).addMessage(turn.conversationId, {
      role: 'assistant', content: blocks, stopReason: 'tool_use', metadata: { channel: turn.channel, approval: 'refused' },
    }).catch(() => undefined);
  }

  /** The whole loop for AION chat and channels; saves the turn. A turn that needs approval parks (`approvals.ts`). */
  async *run(req: AgentRunRequest): AsyncGenerator<AgentEvent> {
    const { user } = req;
    const settings = this.deps.settings.get();
    const conversations = this.deps.conversations.forUser(user.id);
    const conversationId = req.conversationId ?? (await this.currentSession(user.id));
    const channel = req.channel ?? this.approvals.forConversation(user.id, conversationId)?.channel ?? 'web';
    if (!channelAllowed(settings, channel)) {
      // As the original: the refusal is the stream's error, so its client shows it.
      yield { type: 'start', messageId: randomUUID(), conversationId, provider: '', model: '' };
      yield { type: 'error', code: 'CHANNEL_NOT_ALLOWED', message: `The channel ${channel} is not in the channel allowlist` };
      return;
    }
    const answer = await this.answerFor(req, conversationId);
    const first = answer ? this.resolve(user, answer.turn.provider, answer.turn.model) : this.resolve(user, req.provider, req.model, req.message);
    let stored = await conversations.listMessages(conversationId);
    if (!stored) {
      if (!/^[A-Za-z0-9_-]{1,128}$/.test(conversationId)) throw badRequest('Invalid conversationId');
      await conversations.create({ id: conversationId, title: 'AION session', mode: 'aion' });
      stored = [];
    }
    const userContent = answer ? [] : toUserContent(req);
    if (!answer) {
      await conversations.addMessage(conversationId, {
        role: 'user',
        content: userContent.length === 1 && userContent[0].type === 'text' ? req.message : userContent,
        metadata: { channel },
      });
    }
    const messages: ChatMessage[] = answer
      ? answer.turn.messages
      : [...historyFrom(stored, settings.max_history_turns), { role: 'user', content: userContent.length ? userContent : req.message }];
    // A parked turn continues on the model that asked; an explicit choice is not replaced by the fallback chain.
    const attempts = answer || req.provider || req.model ? [first] : fallbackAttempts(first, settings, user, (u, p, m) => this.resolve(u, p, m));
    const controller = new AbortController();
    const onAbort = () => controller.abort(req.signal?.reason);
    req.signal?.addEventListener('abort', onAbort, { once: true });
    if (req.signal?.aborted) controller.abort();
    const untrack = this.track(user.id, controller);
    const record = newTurnRecord();
    const limits = limitsFor(user);
    const toolResultHooks = this.deps.toolResultHooks();
    let used = attempts[0];
    try {
      yield { type: 'start', messageId: randomUUID(), conversationId, provider: used.provider.id, model: used.model };
      const system = answer ? answer.turn.system : await this.systemPrompt(user, req.message, req.system, { conversationId, channel });
      const check = answer ? undefined : makeChecker(settings, user, req.message, (u, p, m) => this.resolve(u, p, m), controller.signal);
      for (let i = 0; i < attempts.length; i++) {
        used = attempts[i];
        yield* agentLoop(
          {
            user, conversationId, provider: used.provider, model: used.model, system, messages, check,
            tools: req.tools ? subset(this.deps.tools(), req.tools) : this.deps.tools(),
            maxSteps: Math.max(1, Math.min(settings.max_steps, req.maxSteps ?? settings.max_steps)),
            maxTokens: Math.min(settings.max_tokens, limits.maxTokens),
            thinkingBudget: this.thinkingBudget(user, used.model, undefined, undefined, channel),
            toolCallLimit: limits.toolCallsPerMessage,
            toolTimeoutMs: settings.tool_timeout_ms,
            signal: controller.signal,
            permission: (tool) => permissionFor(this.deps.store, user.id, { name: tool.def.name, risk: tool.def.risk }),
            resume: answer ? { calls: answer.turn.calls, results: answer.turn.results, pendingIds: new Set(answer.turn.pending.map((p) => p.id)), approved: answer.approved } : undefined,
            onToolResult: (info) => {
              for (const h of toolResultHooks) {
                try {
                  h({ ...info, user, model: used.model });
                } catch { /* a hook never breaks a turn */ }
              }
            },
          },
          record,
        );
        if (!failedEarly(record) || i === attempts.length - 1 || controller.signal.aborted) break;
        const next = attempts[i + 1];
        this.deps.log.warn({ model: used.model, next: next.model, code: record.error?.code }, 'model failed; trying the fallback');
        yield { type: 'notice', trigger: 'failover', text: `${used.model} failed (${record.error?.message}); trying ${next.model}` };
        Object.assign(record, newTurnRecord(), { error: undefined });
      }
      if (record.parked) await this.park(record, { user, conversationId, channel, provider: used.provider.id, model: used.model, system });
      yield* this.finish(record, user, conversationId, used.provider.id, used.model, channel);
    } finally {
      untrack();
      req.signal?.removeEventListener('abort', onAbort);
      if (controller.signal.aborted && record.stopReason !== 'aborted' && !record.saved) record.stopReason = 'aborted';
      if (!record.saved) await this.save(record, user, conversationId, used.provider.id, used.model, channel).catch(() => {});
    }
  }

  private park(record: TurnRecord, info: { user: User; conversationId: string; channel: string; provider: string; model: string; system: string }): Promise<void> {
    const p = record.parked!;
    return this.approvals.park(
      {
        userId: info.user.id, conversationId: info.conversationId, channel: info.channel, provider: info.provider, model: info.model,
        system: info.system, messages: p.messages, calls: p.calls, results: p.results, pending: p.pending, parkedAt: Date.now(),
      },
      this.deps.settings.get().approval_timeout_ms,
    );
  }

  private async *finish(record: TurnRecord, user: User, conversationId: string, provider: string, model: string, channel: string): AsyncGenerator<AgentEvent> {
    await this.save(record, user, conversationId, provider, model, channel);
    if (record.usage.inputTokens || record.usage.outputTokens) yield { type: 'usage', ...record.usage };
    if (record.error) {
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
          await hook(done, { user, conversationId, channel });
        } catch (error) {
          this.deps.log.warn({ error: String(error) }, 'done hook failed');
        }
      }
    }
    yield done;
  }

  private async save(record: TurnRecord & { saved?: boolean }, user: User, conversationId: string, provider: string, model: string, channel: string) {
    if (record.saved) return;
    record.saved = true;
    await this.deps.usage.addTokens(user.id, record.usage.inputTokens + record.usage.outputTokens);
    if (!record.blocks.length && !record.text && record.stopReason !== 'aborted' && !record.error) return;
    await this.deps.conversations.forUser(user.id).addMessage(conversationId, {
      role: 'assistant',
      content: record.blocks,
      model,
      tokens: { input: record.usage.inputTokens, output: record.usage.outputTokens },
      tokensInput: record.usage.inputTokens,
      tokensOutput: record.usage.outputTokens,
      thinkingContent: record.thinking || undefined,
      stopReason: record.stopReason,
      metadata: { provider, channel, toolCalls: record.toolCalls, ...(record.error ? { error: record.error } : {}) },
    });
  }

  /** The named registered tools and the tool-result hooks, for a server-side loop of `runTurn` (Coding mode). */
  private serverLoop(names: string[], user: User, model: string) {
    const all = this.deps.tools();
    const tools = new Map([...all].filter(([name]) => names.includes(name)));
    const hooks = this.deps.toolResultHooks();
    const onToolResult = (info: { name: string; ok: boolean; durationMs: number; error?: string }) => {
      for (const h of hooks) {
        try {
          h({ ...info, user, model });
        } catch { /* a hook never breaks a turn */ }
      }
    };
    return { tools, onToolResult };
  }

  /** One model turn with client tools (ALIN), or a server-side loop over `serverTools`. Nothing is saved; tokens are counted. */
  async *runTurn(req: AgentTurnRequest): AsyncGenerator<AgentEvent> {
    const { user } = req;
    const lastUser = [...req.messages].reverse().find((m) => m.role === 'user');
    const text = typeof lastUser?.content === 'string' ? lastUser.content : '';
    const { provider, model } = this.resolve(user, req.provider, req.model, text);
    const limits = limitsFor(user);
    const controller = new AbortController();
    const onAbort = () => controller.abort(req.signal?.reason);
    req.signal?.addEventListener('abort', onAbort, { once: true });
    const untrack = this.track(user.id, controller);
    const record = newTurnRecord();
    const server = req.serverTools ? this.serverLoop(req.serverTools, user, model) : undefined;
    try {
      yield { type: 'start', messageId: randomUUID(), conversationId: req.conversationId ?? '', provider: provider.id, model };
      yield* agentLoop(
        {
          user, conversationId: req.conversationId ?? '', provider, model,
          system: req.system ?? (await this.deps.prompts.system()),
          messages: req.messages,
          tools: server?.tools ?? new Map(),
          clientTools: server ? undefined : (req.tools ?? []).map((t) => ({ name: t.name, description: t.description ?? '', inputSchema: t.input_schema ?? t.inputSchema ?? { type: 'object', properties: {} } })),
          maxSteps: server ? this.deps.settings.get().max_steps : 1,
          maxTokens: Math.min(req.maxTokens ?? this.deps.settings.get().max_tokens, limits.maxTokens),
          temperature: req.temperature,
          thinkingBudget: req.thinking || req.thinkingBudget ? this.thinkingBudget(user, model, req.thinkingBudget, true) : undefined,
          toolCallLimit: limits.toolCallsPerMessage,
          toolTimeoutMs: server ? this.deps.settings.get().tool_timeout_ms : 0,
          signal: controller.signal,
          onToolResult: server?.onToolResult,
        },
        record,
      );
      await this.deps.usage.addTokens(user.id, record.usage.inputTokens + record.usage.outputTokens);
      yield { type: 'usage', ...record.usage };
      if (record.error) yield { type: 'error', ...record.error };
      else yield { type: 'done', text: record.text, blocks: record.blocks, stopReason: controller.signal.aborted ? 'aborted' : record.stopReason };
    } finally {
      untrack();
      req.signal?.removeEventListener('abort', onAbort);
    }
  }
}
