/**
 * What the echo provider answers, decided from the conversation alone (deterministic):
 * - after tool results: a text that includes each result;
 * - `/think …`: the rest as thinking, then as text;
 * - lines `/tool NAME {json}`: one tool call each, in the same turn (other lines are echoed as text);
 * - anything else: the last user message, echoed back.
 */
import type { ChatMessage, ContentBlock } from '../../core/plugin-api/index.ts';

export type EchoStep =
  | { kind: 'thinking'; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'tool'; name: string; args: Record<string, unknown> };

function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  return content.filter((b): b is Extract<ContentBlock, { type: 'text' }> => b.type === 'text').map((b) => b.text).join('\n');
}

const TOOL_LINE = /^\/tool\s+([A-Za-z0-9_-]+)\s*(.*)$/;

export function planReply(messages: ChatMessage[]): EchoStep[] {
  const last = messages[messages.length - 1];
  if (!last) return [{ kind: 'text', text: '' }];
  const results = Array.isArray(last.content) ? last.content.filter((b) => b.type === 'tool_result') : [];
  if (last.role === 'user' && results.length) {
    const lines = results.map((r) => {
      const body = typeof r.content === 'string' ? r.content : r.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
      return `${r.is_error ? 'Tool error' : 'Tool result'}: ${body}`;
    });
    return [{ kind: 'text', text: lines.join('\n') }];
  }
  const text = textOf(last.content);
  if (text.startsWith('/think ')) {
    const rest = text.slice(7);
    return [{ kind: 'thinking', text: rest }, { kind: 'text', text: rest }];
  }
  const steps: EchoStep[] = [];
  const plain: string[] = [];
  for (const line of text.split('\n')) {
    const m = TOOL_LINE.exec(line.trim());
    if (!m) {
      plain.push(line);
      continue;
    }
    let args: Record<string, unknown> = {};
    try {
      const parsed = m[2].trim() ? JSON.parse(m[2]) : {};
      args = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : { value: parsed };
    } catch {
      args = { _raw: m[2] };
    }
    steps.push({ kind: 'tool', name: m[1], args });
  }
  const rest = plain.join('\n').trim();
  if (!steps.length) return [{ kind: 'text', text }];
  return rest ? [{ kind: 'text', text: rest }, ...steps] : steps;
}

/** Split into chunks of a few words, keeping whitespace, so clients see a real stream. */
export function chunks(text: string, wordsPerChunk = 2): string[] {
  const parts = text.match(/\S+\s*|\s+/g) ?? [];
  const out: string[] = [];
  for (let i = 0; i < parts.length; i += wordsPerChunk) out.push(parts.slice(i, i + wordsPerChunk).join(''));
  return out.length ? out : text ? [text] : [];
}

export const countWords = (text: string) => (text.match(/\S+/g) ?? []).length;
