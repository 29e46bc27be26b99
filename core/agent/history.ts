/**
 * A conversation as the model sees it: stored messages → provider messages (whole turns only, no dangling tool
 * calls), and the new user message as content blocks.
 */
import type { AgentRunRequest, ChatMessage, ContentBlock } from '../plugin-api/types.ts';
import type { MessageRecord } from '../conversations.ts';

/** What `historyFrom` reads of a stored message. */
export type StoredTurnMessage = Readonly<Pick<MessageRecord, 'role' | 'content'>>;

/** The new user message as content blocks (images first, as the providers expect). */
export function toUserContent(req: Pick<AgentRunRequest, 'images' | 'message'>): ContentBlock[] {
  return [
    ...(req.images ?? []).map((img): ContentBlock =>
      'url' in img ? { type: 'image', source: { type: 'url', url: img.url } } : { type: 'image', source: { type: 'base64', media_type: img.mediaType, data: img.data } },
    ),
    ...(req.message ? [{ type: 'text' as const, text: req.message }] : []),
  ];
}

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

const hasToolResult = (m: ChatMessage) => Array.isArray(m.content) && m.content.some((b) => b.type === 'tool_result');

/** The conversation as the model sees it (last `maxTurns` user messages and what followed them). */
export function historyFrom(records: ReadonlyArray<StoredTurnMessage>, maxTurns: number): ChatMessage[] {
  const msgs: ChatMessage[] = [];
  for (const r of records) {
    if (r.role === 'user') msgs.push({ role: 'user', content: r.content as any });
    else if (r.role === 'assistant') {
      if (typeof r.content === 'string') msgs.push({ role: 'assistant', content: r.content });
      else msgs.push(...blocksToMessages(r.content as ContentBlock[]));
    }
  }
  // Keep whole turns: start at a plain user message.
  const starts = msgs.map((m, i) => (m.role === 'user' && !hasToolResult(m) ? i : -1)).filter((i) => i >= 0);
  const from = starts.length > maxTurns ? starts[starts.length - maxTurns] : starts[0] ?? msgs.length;
  const kept = msgs.slice(from);
  // A turn cut short (aborted mid tool use) would leave dangling tool_use blocks: drop them.
  const whole = kept.filter((m, i) => {
    if (m.role !== 'assistant' || typeof m.content === 'string') return true;
    if (!m.content.some((b) => b.type === 'tool_use')) return true;
    const next = kept[i + 1];
    return !!next && hasToolResult(next);
  }).filter((m) => m.content.length > 0);
  return mergeUserRuns(whole);
}

/** A refused approval leaves its tool results right before the next user message: one user message holds both. */
function mergeUserRuns(msgs: ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of msgs) {
    const last = out[out.length - 1];
    if (last && last.role === 'user' && m.role === 'user' && Array.isArray(last.content) && hasToolResult(last)) {
      const extra: ContentBlock[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
      out[out.length - 1] = { role: 'user', content: [...(last.content as ContentBlock[]), ...extra] };
    } else out.push(m);
  }
  return out;
}
