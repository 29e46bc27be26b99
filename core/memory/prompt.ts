/**
 * Memories as text for the system prompt, within a token budget (≈ 4 characters a token).
 */
import type { MemoryEntry } from '../plugin-api/types.ts';

const CHARS_PER_TOKEN = 4;
const MAX_ENTRY_CHARS = 800;
const HEADER = 'Relevant memories (most relevant first):';

/**
 * Format `entries` (best first) as a bulleted block that fits `tokenBudget` tokens: one line each,
 * `- [layer/category] content`, long entries cut with `…`, later entries dropped once the budget is spent.
 * Returns `''` when nothing fits or there is nothing to say.
 */
export function formatMemoriesForPrompt(entries: readonly MemoryEntry[], tokenBudget: number): string {
  const budget = Math.floor(tokenBudget * CHARS_PER_TOKEN);
  if (entries.length === 0 || budget <= HEADER.length + 10) return '';
  const lines = [HEADER];
  let used = HEADER.length;
  for (const e of entries) {
    const label = e.category && e.category !== 'general' ? `${e.layer}/${e.category}` : e.layer;
    const pin = e.isPinned ? ' (pinned)' : '';
    const prefix = `- [${label}]${pin} `;
    let content = e.content.replace(/\s+/g, ' ').trim();
    if (content === '') continue;
    const room = Math.min(MAX_ENTRY_CHARS, budget - used - 1 - prefix.length);
    if (room < 20) break;
    if (content.length > room) content = content.slice(0, room - 1).trimEnd() + '…';
    const line = prefix + content;
    lines.push(line);
    used += 1 + line.length;
  }
  return lines.length > 1 ? lines.join('\n') : '';
}
