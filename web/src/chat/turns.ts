/**
 * The chat transcript as data: turns made of parts (text, thought, tool card). `applyFrame` folds one SSE frame into
 * the streaming assistant turn; `fromStored` rebuilds turns from a saved conversation's messages.
 */
import type { ChatFrame } from '../chat-stream.ts';

export type Part =
  | { kind: 'text'; text: string }
  | { kind: 'thought'; text: string }
  | {
      kind: 'tool';
      id: string;
      name: string;
      args: unknown;
      result?: unknown;
      ok?: boolean;
      duration?: number;
      progress?: { percent: number; label?: string };
      approval?: { message: string; state: 'pending' | 'approved' | 'denied' | 'sending' };
    };

export type ToolPart = Extract<Part, { kind: 'tool' }>;

export interface Turn {
  key: string;
  role: 'user' | 'assistant';
  parts: Part[];
  streaming?: boolean;
  cancelled?: boolean;
  error?: string;
  usage?: { input: number; output: number };
}

let seq = 0;
export const newKey = () => `t${++seq}`;

function appendText(parts: Part[], kind: 'text' | 'thought', text: string): Part[] {
  const last = parts[parts.length - 1];
  if (last && last.kind === kind) return [...parts.slice(0, -1), { ...last, text: last.text + text }];
  return [...parts, { kind, text }];
}

function updateTool(parts: Part[], id: string, name: string, patch: Partial<ToolPart>): Part[] {
  const i = parts.findIndex((p) => p.kind === 'tool' && p.id === id);
  if (i < 0) return [...parts, { kind: 'tool', id, name, args: {}, ...patch } as ToolPart];
  const next = parts.slice();
  next[i] = { ...(parts[i] as ToolPart), ...patch };
  return next;
}

/** The assistant turn after one frame. */
export function applyFrame(turn: Turn, f: ChatFrame): Turn {
  switch (f.type) {
    case 'token':
      return { ...turn, parts: appendText(turn.parts, 'text', f.text ?? '') };
    case 'thought_delta':
      // Live thinking; the whole block's `thought` that follows repeats it (it is for the original client).
      return { ...turn, parts: appendText(turn.parts, 'thought', f.text ?? '') };
    case 'tool_call':
      return { ...turn, parts: updateTool(turn.parts, f.id, f.name, { name: f.name, args: f.args }) };
    case 'approval':
      return { ...turn, parts: updateTool(turn.parts, f.id, f.name, { args: f.args, approval: { message: f.message, state: 'pending' } }) };
    case 'progress':
      return { ...turn, parts: updateTool(turn.parts, f.call_id, '', { progress: { percent: f.percent, label: f.label } }) };
    case 'tool_result': {
      const parts = updateTool(turn.parts, f.id, f.name, { result: f.result, ok: f.ok, duration: f.duration, progress: undefined });
      // A result settles a pending approval (denied or timed out shows as a failed result).
      return {
        ...turn,
        parts: parts.map((p) => (p.kind === 'tool' && p.id === f.id && p.approval?.state === 'pending' ? { ...p, approval: { ...p.approval, state: f.ok ? 'approved' : 'denied' } } : p)),
      };
    }
    case 'usage':
      return { ...turn, usage: { input: f.input_tokens, output: f.output_tokens } };
    case 'done':
      return { ...turn, streaming: false, cancelled: !!f.cancelled };
    case 'error':
      return { ...turn, streaming: false, error: f.message || 'The turn failed' };
    default:
      return turn;
  }
}

type Block = { type: string; text?: string; thinking?: string; id?: string; name?: string; input?: unknown; tool_use_id?: string; content?: unknown; is_error?: boolean };
export interface StoredMessage {
  id: string;
  role: string;
  content: string | Block[];
  thinkingContent?: string;
  metadata?: { toolCalls?: Array<{ id: string; ok?: boolean; result?: unknown; durationMs?: number }> };
}

function resultValue(c: unknown): unknown {
  const text = typeof c === 'string' ? c : Array.isArray(c) ? c.map((x: Block) => x.text ?? '').join('') : JSON.stringify(c);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Turns from stored messages (`GET /api/conversations/:id`). The agent stores a turn as one assistant message whose
 * blocks run text → tool_use → tool_result → text; results given in a following user/tool message attach too.
 */
export function fromStored(messages: StoredMessage[]): Turn[] {
  const turns: Turn[] = [];
  const tools = new Map<string, ToolPart>();
  const settle = (b: Block) => {
    const part = b.tool_use_id ? tools.get(b.tool_use_id) : undefined;
    if (!part) return;
    part.ok = !b.is_error;
    part.result = resultValue(b.content);
  };
  for (const m of messages) {
    const blocks: Block[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : Array.isArray(m.content) ? m.content : [];
    if (m.role === 'assistant') {
      const parts: Part[] = [];
      if (m.thinkingContent) parts.push({ kind: 'thought', text: m.thinkingContent });
      for (const b of blocks) {
        if (b.type === 'text' && b.text) parts.push({ kind: 'text', text: b.text });
        else if (b.type === 'thinking' && b.thinking && !m.thinkingContent) parts.push({ kind: 'thought', text: b.thinking });
        else if (b.type === 'tool_use' && b.id) {
          const part: ToolPart = { kind: 'tool', id: b.id, name: b.name ?? 'tool', args: b.input };
          tools.set(b.id, part);
          parts.push(part);
        } else if (b.type === 'tool_result') settle(b);
      }
      // The turn's record of each call has the exact result, outcome and duration.
      for (const call of m.metadata?.toolCalls ?? []) {
        const part = tools.get(call.id);
        if (!part) continue;
        if (call.ok !== undefined) part.ok = call.ok;
        if (call.result !== undefined) part.result = call.result;
        if (call.durationMs !== undefined) part.duration = call.durationMs / 1000;
      }
      const prev = turns[turns.length - 1];
      // A turn stored as several assistant messages (model → tools → model) shows as one.
      if (prev?.role === 'assistant') prev.parts.push(...parts);
      else turns.push({ key: m.id || newKey(), role: 'assistant', parts });
    } else if (m.role === 'user' || m.role === 'tool') {
      const results = blocks.filter((b) => b.type === 'tool_result');
      results.forEach(settle);
      const text = blocks.filter((b) => b.type === 'text').map((b) => b.text ?? '').join('\n');
      if (m.role === 'user' && (text || !results.length)) turns.push({ key: m.id || newKey(), role: 'user', parts: [{ kind: 'text', text }] });
    }
  }
  return turns;
}
