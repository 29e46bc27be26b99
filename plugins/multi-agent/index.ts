/**
 * Multi-agent: `delegate_to_agent` hands one task, or several in parallel, to sub-agents — agent runs of the same user
 * on the same loop, each in its own conversation, with a tool subset and a step and time budget — and returns their
 * results. `sessions_list`, `sessions_send`, `sessions_history` work on the caller's own sub-agents only.
 */
import { z } from 'zod';
import { badRequest, definePlugin, notFound, type PluginContext, type User } from '../../core/plugin-api/index.ts';
import { agentsOf, newAgentId, runSubAgent, SUBAGENT_PREFIX, type Budget, type SubAgent } from './subagent.ts';

const Settings = z.object({
  max_parallel: z.number().int().min(1).max(10).default(4),
  max_steps: z.number().int().min(1).max(50).default(6),
  timeout_ms: z.number().int().min(1000).max(600_000).default(120_000),
  max_sessions: z.number().int().min(1).max(200).default(20),
  /** Tools sub-agents get when the caller names none (empty: every tool except the delegation ones). */
  default_tools: z.array(z.string().max(64)).max(200).default([]),
});
type S = z.infer<typeof Settings>;

const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const Task = z.object({
  task: z.string().min(1).max(20_000).describe('The task to delegate'),
  context: z.string().max(20_000).optional().describe('Context from the main agent'),
  agent_id: Id.optional().describe('Reuse this sub-agent (its conversation continues)'),
});

async function agentFor(ctx: PluginContext<S>, userId: string, id: string | undefined, tools: string[]): Promise<SubAgent> {
  const coll = agentsOf(ctx, userId);
  const existing = id ? await coll.get(id) : undefined;
  if (existing) return existing;
  const agentId = id ?? newAgentId();
  const agent: SubAgent = { id: agentId, conversationId: `${SUBAGENT_PREFIX}${agentId}`, createdAt: Date.now(), lastUsed: Date.now(), turns: 0, lastTask: '', tools };
  await coll.put(agent);
  const all = (await coll.all()).sort((a, b) => a.lastUsed - b.lastUsed);
  for (const old of all.slice(0, Math.max(0, all.length - ctx.settings.get().max_sessions))) await coll.delete(old.id);
  return agent;
}

function budgetOf(ctx: PluginContext<S>, asked: { tools?: string[]; max_steps?: number; timeout_ms?: number }): Budget {
  const s = ctx.settings.get();
  const every = ctx.host.tools().map((t) => t.name);
  const tools = asked.tools ?? (s.default_tools.length ? s.default_tools : every);
  return { tools: tools.filter((t) => every.includes(t)), maxSteps: Math.min(asked.max_steps ?? s.max_steps, s.max_steps), timeoutMs: Math.min(asked.timeout_ms ?? s.timeout_ms, s.timeout_ms) };
}

async function turn(ctx: PluginContext<S>, user: User, agent: SubAgent, prompt: string, budget: Budget, signal: AbortSignal) {
  const out = await runSubAgent(ctx, user, agent, prompt, budget, signal);
  await agentsOf(ctx, user.id).update(agent.id, (a) => ({ ...a, lastUsed: Date.now(), turns: a.turns + 1, lastTask: prompt.slice(0, 200) }));
  return out;
}

export default definePlugin({
  name: 'multi-agent',
  version: '1.0.0',
  description: 'Sub-agents on the same loop: delegate_to_agent (parallel, tool subset, step and time budget), sessions_list/send/history',
  settings: Settings,
  setup(ctx) {
    ctx.tools.register({
      name: 'delegate_to_agent',
      description: 'Delegate a task (or several, run in parallel with `tasks`) to sub-agents and wait for their results. Give `tools` to limit what they may use; steps and time are bounded.',
      input: Task.partial({ task: true }).extend({
        tasks: z.array(Task).max(10).optional().describe('Several tasks, one sub-agent each, run in parallel'),
        reuse: z.boolean().optional().describe('Reuse the sub-agent named by agent_id'),
        tools: z.array(z.string().max(64)).max(200).optional().describe('The tools the sub-agents may use'),
        max_steps: z.number().int().min(1).max(50).optional(),
        timeout_ms: z.number().int().min(1000).max(600_000).optional(),
      }),
      risk: 'exec',
      timeoutMs: 600_000,
      run: async (args, call) => {
        if (call.conversationId.startsWith(SUBAGENT_PREFIX)) return { ok: false, error: 'Recursion prevented: sub-agents cannot delegate further.' };
        const tasks = args.tasks ?? (args.task ? [{ task: args.task, context: args.context, agent_id: args.agent_id }] : []);
        if (!tasks.length) throw badRequest("Give 'task' or 'tasks'", undefined, 'INVALID_TASK');
        if (tasks.length > ctx.settings.get().max_parallel) throw badRequest(`At most ${ctx.settings.get().max_parallel} sub-agents at once`, undefined, 'TOO_MANY_AGENTS');
        const budget = budgetOf(ctx, args);
        const results = await Promise.all(tasks.map(async (t) => {
          const agent = await agentFor(ctx, call.user.id, t.agent_id, budget.tools);
          const prompt = t.context ? `[Context from the main agent]:\n${t.context}\n\n[Task]:\n${t.task}` : t.task;
          return turn(ctx, call.user, agent, prompt, budget, call.signal);
        }));
        return args.tasks ? { ok: results.every((r) => r.ok), results } : results[0];
      },
    });
    ctx.tools.register({
      name: 'sessions_list', description: 'The sub-agents with their id and message count.', input: z.object({}), risk: 'read',
      run: async (_a, call) => {
        const agents = await agentsOf(ctx, call.user.id).all();
        const conv = ctx.conversations.forUser(call.user.id);
        const list = await Promise.all(agents.map(async (a) => ({ agent_id: a.id, turns: a.turns, messages: (await conv.listMessages(a.conversationId))?.length ?? 0, last_task: a.lastTask, last_used: new Date(a.lastUsed).toISOString() })));
        return { ok: true, agents: list, count: list.length };
      },
    });
    ctx.tools.register({
      name: 'sessions_send', description: 'Send a follow-up message to an existing sub-agent and wait for its answer.', risk: 'exec', timeoutMs: 600_000,
      input: z.object({ agent_id: Id, message: z.string().min(1).max(20_000) }),
      run: async (a, call) => {
        if (call.conversationId.startsWith(SUBAGENT_PREFIX)) return { ok: false, error: 'Recursion prevented: sub-agents cannot message other sub-agents.' };
        const agent = await agentsOf(ctx, call.user.id).get(a.agent_id);
        if (!agent) throw notFound(`No sub-agent with id '${a.agent_id}'`, 'AGENT_NOT_FOUND');
        return turn(ctx, call.user, agent, a.message, budgetOf(ctx, { tools: agent.tools }), call.signal);
      },
    });
    ctx.tools.register({
      name: 'sessions_history', description: "The last 20 messages of a sub-agent's conversation.", input: z.object({ agent_id: Id }), risk: 'read',
      run: async (a, call) => {
        const agent = await agentsOf(ctx, call.user.id).get(a.agent_id);
        if (!agent) throw notFound(`No sub-agent with id '${a.agent_id}'`, 'AGENT_NOT_FOUND');
        const messages = (await ctx.conversations.forUser(call.user.id).listMessages(agent.conversationId)) ?? [];
        const text = (c: unknown) => (typeof c === 'string' ? c : JSON.stringify(c)).slice(0, 500);
        return { ok: true, agent_id: agent.id, messages: messages.slice(-20).map((m: any) => ({ role: m.role, content: text(m.content) })), total: messages.length };
      },
    });
  },
});
