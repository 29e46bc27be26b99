/**
 * Per-turn choices derived from the settings that need providers: the `model_fallback` chain and the `check_model`
 * checker. Kept apart from the service so each stays small.
 */
import type { ProviderDefinition, User } from '../plugin-api/types.ts';
import type { GlobalSettings } from '../settings.ts';
import { checkPrompt } from './turn-settings.ts';

export type Attempt = { provider: ProviderDefinition; model: string };
type Resolve = (user: User, provider?: string, model?: string) => Attempt;

/** The active choice, then each `model_fallback` model whose provider is configured (unknown ones are skipped). */
export function fallbackAttempts(first: Attempt, settings: GlobalSettings, user: User, resolve: Resolve): Attempt[] {
  const out = [first];
  for (const model of settings.model_fallback) {
    try {
      const next = resolve(user, undefined, model);
      if (!out.some((a) => a.provider.id === next.provider.id && a.model === next.model)) out.push(next);
    } catch {
      /* unknown or unconfigured fallback: skipped */
    }
  }
  return out;
}

/** True when a turn failed before producing anything, so another model may take it over. */
export function failedEarly(record: { error?: unknown; text: string; blocks: unknown[]; toolCalls: unknown[] }): boolean {
  return !!record.error && !record.text && !record.blocks.length && !record.toolCalls.length;
}

/** The `check_model` verdict function for one turn, or undefined when no check model is set (or it is unusable). */
export function makeChecker(settings: GlobalSettings, user: User, userText: string, resolve: Resolve, signal: AbortSignal): ((answer: string) => Promise<boolean>) | undefined {
  if (!settings.check_model) return undefined;
  let check: Attempt;
  try {
    check = resolve(user, undefined, settings.check_model);
  } catch {
    return undefined;
  }
  return async (answer) => {
    const prompt = checkPrompt(userText, answer);
    let text = '';
    const stream = check.provider.stream({ model: check.model, system: prompt.system, messages: [{ role: 'user', content: prompt.user }], maxTokens: 16, temperature: 0 }, signal);
    for await (const ev of stream) if (ev.type === 'text') text += ev.delta;
    return /^\W*(yes|ja)\b/i.test(text);
  };
}
