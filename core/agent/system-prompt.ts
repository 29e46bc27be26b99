/** What a turn tells the model besides the conversation: the system prompt and the thinking budget. */
import type { User } from '../plugin-api/types.ts';
import { limitsFor } from '../auth/plans.ts';
import { formatMemoriesForPrompt } from '../memory/prompt.ts';
import type { GlobalSettings } from '../settings.ts';
import { thinkingLevelFor } from './turn-settings.ts';
import type { AgentDeps } from './service.ts';

type PromptDeps = Pick<AgentDeps, 'prompts' | 'settings' | 'memory' | 'systemContextHooks' | 'log'>;

const THINKING_BUDGETS = { off: 0, minimal: 1024, standard: 4000, deep: 12000, ultra: 32000 } as const;

/** The system prompt of a turn: the prompt files, extra text, plugins' additions, recalled memories. */
export async function systemPrompt(deps: PromptDeps, user: User, message: string, extra?: string, turn?: { conversationId: string; channel: string }): Promise<string> {
  const parts = [await deps.prompts.system()];
  if (extra) parts.push(extra);
  if (turn) parts.push(...(await pluginContext(deps, user, message, turn)));
  const settings = deps.settings.get();
  const memory = deps.memory();
  if (memory && settings.memory_inject && settings.memory_token_budget > 0 && message.trim()) {
    try {
      const { entries } = await memory.search(user.id, { search: message, limit: 5 });
      const block = formatMemoriesForPrompt(entries, settings.memory_token_budget);
      if (block) parts.push(block);
    } catch (error) {
      deps.log.warn({ error: String(error) }, 'memory recall for the system prompt failed');
    }
  }
  return parts.filter(Boolean).join('\n\n');
}

/** What plugins add for this turn; a failing hook adds nothing and never breaks the turn. */
async function pluginContext(deps: PromptDeps, user: User, message: string, turn: { conversationId: string; channel: string }): Promise<string[]> {
  const out: string[] = [];
  for (const hook of deps.systemContextHooks()) {
    try {
      const text = await hook({ user, message, ...turn });
      if (typeof text === 'string' && text.trim()) out.push(text.trim());
    } catch (error) {
      deps.log.warn({ error: String((error as Error)?.message ?? error) }, 'a system-context hook failed');
    }
  }
  return out;
}

/** The thinking budget of a turn: asked for, else the setting's level (with its overrides); capped by the plan. */
export function thinkingBudget(settings: GlobalSettings, user: User, model: string, requested?: number, enabled?: boolean, channel = 'web'): number | undefined {
  const cap = limitsFor(user).thinkingBudget;
  if (requested) return Math.min(requested, cap);
  if (enabled) return Math.min(4000, cap);
  const level = thinkingLevelFor(settings, model, channel);
  const budget = THINKING_BUDGETS[level] ?? 0;
  return budget ? Math.min(budget, cap) : undefined;
}

