/**
 * Which thinking form a Claude model takes. Claude 4.6 brought adaptive thinking (`type: 'adaptive'` plus
 * `output_config.effort`); 4.6 still accepts a manual budget but deprecates it, and Opus 4.7, the 5 family, Mythos and
 * Fable reject it with a 400. Claude 4.5 and older know only the budget form (`type: 'enabled'`, `budget_tokens`).
 */
import type Anthropic from '@anthropic-ai/sdk';

/** The API's floor for a manual thinking budget. */
export const MIN_THINKING_BUDGET = 1024;

/** `[major, minor]` of a model id (`claude-sonnet-4-6` → [4, 6], `claude-3-7-sonnet-20250219` → [3, 7]); a date is no version. */
export function claudeVersion(model: string): [number, number] | undefined {
  const m = /(?:^|-)(\d{1,2})(?:-(\d{1,2}))?(?=-|$)/.exec(model);
  return m ? [Number(m[1]), m[2] === undefined ? 0 : Number(m[2])] : undefined;
}

/** True for models that take (or only take) adaptive thinking. An id without a version keeps the budget form. */
export function usesAdaptiveThinking(model: string): boolean {
  if (/mythos|fable/.test(model)) return true;
  const v = claudeVersion(model);
  return v !== undefined && (v[0] > 4 || (v[0] === 4 && v[1] >= 6));
}

/** A budget → an effort level for adaptive models, so one `thinkingBudget` setting means roughly the same everywhere. */
export function effortFor(budgetTokens: number): 'low' | 'medium' | 'high' {
  if (budgetTokens <= 4096) return 'low';
  if (budgetTokens <= 16384) return 'medium';
  return 'high';
}

/** The `thinking` (and `output_config`) fields for a request that asks for thinking. */
export function thinkingParams(
  model: string,
  budgetTokens: number,
): Pick<Anthropic.MessageCreateParamsStreaming, 'thinking' | 'output_config'> {
  if (usesAdaptiveThinking(model)) {
    // `summarized`: some models default to omitting the thinking text, and the runtime streams it to the user.
    return { thinking: { type: 'adaptive', display: 'summarized' }, output_config: { effort: effortFor(budgetTokens) } };
  }
  return { thinking: { type: 'enabled', budget_tokens: Math.max(MIN_THINKING_BUDGET, Math.floor(budgetTokens)) } };
}
