/**
 * The chat transcript as data: turns made of parts (text, thought, tool card). `applyFrame` folds one SSE frame into
 * the streaming assistant turn; `fromStored` rebuilds turns from a saved conversation's messages (with their token
 * counts). Documents sent with a message travel inside its text as `<attachment name="…">…</attachment>` blocks, so
 * the model reads them and a reopened conversation still shows them as attachments.
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

export interface Media {
  type: 'audio' | 'image';
  url: string;
  format?: string;
}

export interface Turn {
  key: string;
  role: 'user' | 'assistant';
  parts: Part[];
  /** User turns: images sent with the message (data or http URLs). */
  images?: string[];
  /** User turns: names of documents sent with the message. */
  documents?: string[];
  /** Assistant turns: speech or pictures attached to the reply. */
  media?: Media[];
  streaming?: boolean;
  cancelled?: boolean;
  error?: string;
  usage?: { input: number; output: number };
}

let seq = 0;
export const newKey = () => `t${++seq}`;

const ATTACHMENT = /\n*<attachment name="([^"]*)">\n[\s\S]*?\n<\/attachment>/g;

/**
 * The text a message is sent with: what the user typed, then each document as an attachment block (typed text first,
 * so the conversation's title is the user's words, not a file).
 */
export function withDocuments(text: string, documents: Array<{ name: string; text: string }>): string {
  const blocks = documents.map((d) => `<attachment name="${d.name.replace(/["<>\n]/g, '_')}">\n${d.text}\n</attachment>`);
  return [text.trim() ? text : `(${documents.map((d) => d.name).join(', ')})`, ...blocks].join('\n\n');
}

/** What the user typed and the names of the documents in a sent message's text. */
export function splitDocuments(text: string): { text: string; documents: string[] } {
  const documents: string[] = [];
  const rest = text.replace(ATTACHMENT, (_all, name: string) => (documents.push(name), ''));
  return { text: rest.trim(), documents };
}

/** The plain text of a turn (for Copy and Edit). */
export function turnText(turn: Turn): string {
  return turn.parts
    .filter((p) => p.kind === 'text')
    .map((p) => (p as { text: string }).text)
    .join('\n\n')
    .trim();
}

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

/** Audio and images of a finished reply (`done.response_blocks`). */
function mediaOf(blocks: Array<{ type: string; url?: string; format?: string }> | undefined): Media[] {
  return (blocks ?? []).filter((b) => (b.type === 'audio' || b.type === 'image') && typeof b.url === 'string').map((b) => ({ type: b.type as Media['type'], url: b.url!, format: b.format }));
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
      return { ...turn, parts: dropApprovalEcho(updateTool(turn.parts, f.id, f.name, { args: f.args, approval: { message: f.message, state: 'pending' } }), f.message) };
    case 'progress':
      return { ...turn, parts: updateTool(turn.parts, f.call_id, '', { progress: { percent: Math.max(0, Math.min(100, Number(f.percent) || 0)), label: f.label } }) };
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
    case 'done': {
      const media = mediaOf(f.response_blocks);
      return { ...turn, streaming: false, cancelled: !!f.cancelled, ...(media.length ? { media } : {}) };
    }
    case 'error':
      return { ...turn, streaming: false, error: f.message || 'The turn failed' };
    default:
      return turn;
  }
}

/** The approval's question also arrives as a `token` (for the original client); the card shows it, so drop the echo. */
function dropApprovalEcho(parts: Part[], message: string): Part[] {
  const i = parts.findIndex((p) => p.kind === 'text' && p.text.trim() === message.trim());
  return i < 0 || !message ? parts : parts.filter((_, j) => j !== i);
}

/** A tool call parked for the user's answer, as `GET /api/approvals` lists it (what the `approval` frame carried). */
export interface PendingApprovalInfo {
  id: string;
  name: string;
  args: unknown;
  message: string;
}

/**
 * A reopened conversation's turns with its parked calls waiting again: the stored transcript only has the tool call,
 * the question and its buttons came in the stream that parked it. The calls belong to the last assistant turn.
 */
export function withPendingApprovals<T extends Turn>(turns: T[], pending: PendingApprovalInfo[]): T[] {
  if (!pending.length) return turns;
  const last = turns[turns.length - 1];
  const base = last?.role === 'assistant' ? last : ({ key: newKey(), role: 'assistant', parts: [] } as Turn as T);
  let parts = base.parts;
  for (const p of pending) parts = dropApprovalEcho(updateTool(parts, p.id, p.name, { args: p.args, approval: { message: p.message, state: 'pending' } }), p.message);
  const kept = base === last ? turns.slice(0, -1) : turns;
  return [...kept, { ...base, parts }];
}

/** Whether any tool of these turns waits for an answer. */
export function pendingApproval(turns: Turn[]): ToolPart | undefined {
  const last = turns[turns.length - 1];
  return last?.parts.find((p): p is ToolPart => p.kind === 'tool' && p.approval?.state === 'pending');
}

type Block = {
  type: string;
  text?: string;
  thinking?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
  is_error?: boolean;
  source?: { type: string; media_type?: string; data?: string; url?: string };
};
export interface StoredMessage {
  id: string;
  role: string;
  content: string | Block[];
  thinkingContent?: string;
  tokens?: { input: number; output: number };
  tokensInput?: number;
  tokensOutput?: number;
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

function imageUrl(b: Block): string | undefined {
  if (b.type !== 'image' || !b.source) return undefined;
  if (b.source.type === 'base64' && b.source.data) return `data:${b.source.media_type};base64,${b.source.data}`;
  return b.source.type === 'url' ? b.source.url : undefined;
}

/** The message's own token counts, as the agent stores them. */
function messageUsage(m: StoredMessage): { input: number; output: number } | undefined {
  const input = m.tokens?.input ?? m.tokensInput;
  const output = m.tokens?.output ?? m.tokensOutput;
  return input === undefined && output === undefined ? undefined : { input: input ?? 0, output: output ?? 0 };
}

function assistantParts(m: StoredMessage, blocks: Block[], tools: Map<string, ToolPart>, settle: (b: Block) => void): Part[] {
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
  return parts;
}

/**
 * Turns from stored messages (`GET /api/conversations/:id`). The agent stores a turn as one assistant message whose
 * blocks run text → tool_use → tool_result → text; results given in a following user/tool message attach too.
 * Each turn's `messageIds` are the stored messages it was made from (for edit and regenerate).
 */
export type StoredTurn = Turn & { messageIds: string[]; /** User turns: the text as sent, attachment blocks included. */ sent?: string };

export function fromStored(messages: StoredMessage[]): StoredTurn[] {
  const turns: StoredTurn[] = [];
  const tools = new Map<string, ToolPart>();
  const settle = (b: Block) => {
    const part = b.tool_use_id ? tools.get(b.tool_use_id) : undefined;
    if (!part) return;
    part.ok = !b.is_error;
    part.result = resultValue(b.content);
  };
  for (const m of messages) {
    const blocks: Block[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : Array.isArray(m.content) ? m.content : [];
    const prev = turns[turns.length - 1];
    if (m.role === 'assistant') {
      const parts = assistantParts(m, blocks, tools, settle);
      const usage = messageUsage(m);
      // A turn stored as several assistant messages (model → tools → model) shows as one, its tokens summed.
      if (prev?.role === 'assistant') {
        prev.parts.push(...parts);
        prev.messageIds.push(m.id);
        if (usage) prev.usage = { input: (prev.usage?.input ?? 0) + usage.input, output: (prev.usage?.output ?? 0) + usage.output };
      } else turns.push({ key: m.id || newKey(), role: 'assistant', parts, messageIds: [m.id], ...(usage ? { usage } : {}) });
    } else if (m.role === 'user' || m.role === 'tool') {
      const results = blocks.filter((b) => b.type === 'tool_result');
      results.forEach(settle);
      const raw = blocks.filter((b) => b.type === 'text').map((b) => b.text ?? '').join('\n');
      const images = blocks.map(imageUrl).filter((u): u is string => !!u);
      const { text, documents } = splitDocuments(raw);
      if (m.role === 'user' && (raw || images.length || !results.length)) {
        turns.push({ key: m.id || newKey(), role: 'user', parts: [{ kind: 'text', text }], messageIds: [m.id], sent: raw, ...(images.length ? { images } : {}), ...(documents.length ? { documents } : {}) });
      } else if (prev) prev.messageIds.push(m.id);
    }
  }
  return turns;
}
