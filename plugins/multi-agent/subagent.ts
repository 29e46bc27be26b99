/**
 * One sub-agent turn: a normal agent run of the same user in the sub-agent's own conversation, offered only its tool
 * subset, with a step budget and a time budget. Nobody can answer approvals inside it, so tools that ask are refused
 * at once rather than waiting; delegation tools are never in the subset (no recursion).
 */
import { randomUUID } from 'node:crypto';
import type { PluginContext, User } from '../../core/plugin-api/index.ts';

export interface SubAgent {
  id: string;
  conversationId: string;
  createdAt: number;
  lastUsed: number;
  turns: number;
  lastTask: string;
  tools: string[];
}

export interface Budget {
  tools: string[];
  maxSteps: number;
  timeoutMs: number;
}

export const DELEGATION_TOOLS = new Set(['delegate_to_agent', 'sessions_send']);
export const SUBAGENT_PREFIX = 'subagent-';

export const agentsOf = (ctx: PluginContext<any>, userId: string) => ctx.store.forUser(userId).collection<SubAgent>('subagents');

export const newAgentId = () => `agent_${randomUUID().slice(0, 8)}`;

export interface TurnOutcome {
  ok: boolean;
  agent_id: string;
  result?: string;
  error?: string;
  tool_calls: Array<{ name: string; ok: boolean }>;
  timed_out?: boolean;
}

export async function runSubAgent(ctx: PluginContext<any>, user: User, agent: SubAgent, prompt: string, budget: Budget, parent: AbortSignal): Promise<TurnOutcome> {
  const timeout = AbortSignal.timeout(budget.timeoutMs);
  const signal = AbortSignal.any([parent, timeout]);
  const toolCalls: TurnOutcome['tool_calls'] = [];
  const toolText: string[] = [];
  let text = '';
  try {
    for await (const e of ctx.agent.run({
      user, conversationId: agent.conversationId, message: prompt, signal, channel: `subagent:${agent.id}`,
      tools: budget.tools.filter((t) => !DELEGATION_TOOLS.has(t)), maxSteps: budget.maxSteps,
      system: `You are the sub-agent "${agent.id}", working for the main agent. Do the task you are given and answer with its result only.`,
    })) {
      if (e.type === 'approval') ctx.agent.approve(user, e.id, false);
      else if (e.type === 'text') text += e.delta;
      else if (e.type === 'tool_result') {
        toolCalls.push({ name: e.name, ok: e.ok });
        toolText.push(`${e.name}: ${JSON.stringify(e.result).slice(0, 2000)}`);
      } else if (e.type === 'error') return { ok: false, agent_id: agent.id, error: e.message, tool_calls: toolCalls };
      else if (e.type === 'done') {
        if (e.stopReason === 'aborted') break;
        // A step budget spent on tool calls leaves no final text: the tool results are the answer then.
        return { ok: true, agent_id: agent.id, result: (e.text || text || toolText.join('\n')).slice(0, 20_000), tool_calls: toolCalls };
      }
    }
  } catch (error) {
    if (!signal.aborted) return { ok: false, agent_id: agent.id, error: String((error as Error)?.message ?? error), tool_calls: toolCalls };
  }
  return { ok: false, agent_id: agent.id, error: timeout.aborted ? `The sub-agent ran out of time (${budget.timeoutMs} ms)` : 'Cancelled', timed_out: timeout.aborted, tool_calls: toolCalls };
}
