/**
 * How the original AION's runtime settings act on a turn (`seed-contracts.md` B7): channel allowlist, thinking level
 * with overrides, task routing by kind, and the check model's question. Pure functions over the settings.
 */
import type { GlobalSettings } from '../settings.ts';

/** `telegram*` matches `telegram` and `telegram_123`; other patterns match exactly (case-insensitive). */
export function matchesPattern(value: string, pattern: string): boolean {
  const v = value.toLowerCase();
  const p = pattern.trim().toLowerCase();
  if (!p) return false;
  if (p === '*') return true;
  return p.endsWith('*') ? v.startsWith(p.slice(0, -1)) : v === p;
}

/** Empty allowlist = every channel may talk to the agent. */
export function channelAllowed(settings: GlobalSettings, channel: string): boolean {
  const list = settings.channel_allowlist;
  return !list.length || list.some((p) => matchesPattern(channel, p));
}

/** The thinking level for a turn: an override for the model, else for a matching channel pattern, else the global one. */
export function thinkingLevelFor(settings: GlobalSettings, model: string, channel: string): GlobalSettings['thinking_level'] {
  const overrides = settings.thinking_overrides;
  if (overrides[model]) return overrides[model];
  for (const [pattern, level] of Object.entries(overrides)) if (matchesPattern(channel, pattern)) return level;
  return settings.thinking_level;
}

const KINDS: Array<{ kind: 'coding' | 'review' | 'browsing'; words: RegExp }> = [
  { kind: 'review', words: /\b(review|überprüf|prüfe?|code review|audit|critique)\b/i },
  { kind: 'coding', words: /\b(code|coding|program|programm\w*|function|bug|debug|script|implement\w*|refactor\w*|compile|typescript|python|javascript)\b/i },
  { kind: 'browsing', words: /\b(browse|browser|website|web ?page|webseite|url|https?:\/\/|search the web|google|recherch\w*|news)\b/i },
];

/** The original's `task_routing` object: the model for this message's kind of task, or `default`; none → undefined. */
export function routedModel(settings: GlobalSettings, message: string): string | undefined {
  const routing = settings.task_routing;
  if (Array.isArray(routing)) return undefined;
  const text = message.slice(0, 2000);
  for (const { kind, words } of KINDS) if (routing[kind] && words.test(text)) return routing[kind];
  return routing.default || undefined;
}

/** The check model's prompt (answered YES or NO): did the answer announce an action it never took? */
export function checkPrompt(userText: string, answer: string): { system: string; user: string } {
  return {
    system:
      'You are a strict checker. Answer only YES or NO. Does the AI response announce an action that was NOT executed ' +
      'through a tool call and that the user is still waiting for ("I will now …", "Let me …", a plan without a call)? ' +
      'Answer NO for explanations, questions to the user, requests for confirmation and summaries of work already done.',
    user: `User request: ${userText.slice(0, 200)}\nAI response: ${answer.slice(0, 400)}`,
  };
}

/** What the model is told when the check says it announced an action without taking it. */
export const CHECK_NUDGE = 'You announced an action but did not call a tool. Do it now with a tool call, or say plainly that you cannot.';
