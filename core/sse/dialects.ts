/**
 * The two SSE dialects of `events.md` as mappings from `AgentEvent` to frames. `null` = no frame for this event.
 */
import type { AgentEvent } from '../plugin-api/types.ts';
import { scrubSecrets } from '../secret-scrubber.ts';

export type Dialect = 'aion' | 'alin' | 'alin-coding';
export type Frame = { type: string; payload: Record<string, unknown> } | null;

/** What the AION mapping remembers between events of one stream. */
export interface AionState {
  approvalPending: boolean;
  /** The thinking block being streamed: sent whole as one `thought` when it ends. */
  thinking?: string;
}

/** The finished thinking block as one `thought` (the original client draws one panel per event). */
function flushThought(state: AionState): Frame[] {
  const text = state.thinking;
  state.thinking = undefined;
  return text ? [{ type: 'thought', payload: { text, trigger: 'thinking', call_id: null } }] : [];
}

/** AION (`/api/chat`): documented fields first, then the original's aliases. */
export function aionFrame(ev: AgentEvent, state: AionState): Frame | Frame[] {
  switch (ev.type) {
    case 'thinking_start':
      return flushThought(state);
    case 'thinking':
      state.thinking = (state.thinking ?? '') + ev.delta;
      return { type: 'thought_delta', payload: { text: ev.delta } };
    case 'thinking_end':
      return flushThought(state);
    case 'text':
      return [...flushThought(state), { type: 'token', payload: { text: ev.delta, content: ev.delta } }];
    case 'tool_call':
      return [...flushThought(state), { type: 'tool_call', payload: { name: ev.name, args: ev.args, id: ev.id, tool: ev.name, call_id: ev.id } }];
    case 'approval':
      state.approvalPending = true;
      // As the original: the question as text first, then the approval; the turn then ends with approval_pending.
      return [
        { type: 'token', payload: { text: ev.message, content: ev.message } },
        { type: 'approval', payload: { message: ev.message, id: ev.id, name: ev.name, args: ev.args } },
      ];
    case 'tool_result':
      state.approvalPending = false;
      return {
        type: 'tool_result',
        payload: { name: ev.name, result: ev.result, ok: ev.ok, id: ev.id, tool: ev.name, call_id: ev.id, duration: Math.round(ev.durationMs) / 1000 },
      };
    case 'progress':
      return { type: 'progress', payload: { call_id: ev.id, percent: ev.percent, label: ev.label ?? '' } };
    case 'notice':
      // The original reported a failover as a thought with trigger and call_id "failover", a tool's thought with its call.
      return [...flushThought(state), { type: 'thought', payload: { text: ev.text, trigger: ev.trigger, call_id: ev.callId ?? ev.trigger } }];
    case 'usage':
      return { type: 'usage', payload: { input_tokens: ev.inputTokens, output_tokens: ev.outputTokens } };
    case 'done':
      return [...flushThought(state), aionDone(ev, state)];
    case 'error':
      return [...flushThought(state), { type: 'error', payload: { message: scrubSecrets(ev.message), code: ev.code } }];
    default:
      return null;
  }
}

function aionDone(ev: Extract<AgentEvent, { type: 'done' }>, state: AionState): Frame {
  const blocks: Array<Record<string, unknown>> = [];
  if (ev.text) blocks.push({ type: 'text', content: ev.text });
  for (const m of ev.media ?? []) blocks.push(m.type === 'audio' ? { type: 'audio', url: m.url, format: m.format ?? 'mp3' } : { type: 'image', url: m.url });
  const audio = ev.media?.find((m) => m.type === 'audio');
  return {
    type: 'done',
    payload: {
      full_response: ev.text,
      response_blocks: blocks,
      approval_pending: ev.approvalPending === true || state.approvalPending,
      stop_reason: ev.stopReason,
      ...(audio ? { audio: { url: audio.url, format: audio.format ?? 'mp3' } } : {}),
      ...(ev.stopReason === 'aborted' ? { cancelled: true } : {}),
    },
  };
}

/** ALIN (`/api/chat/stream`, `/api/chat/continue`). */
export function alinFrame(ev: AgentEvent, state: { model: string; usage: { inputTokens: number; outputTokens: number } }): Frame {
  switch (ev.type) {
    case 'start':
      state.model = ev.model;
      return { type: 'start', payload: { model: ev.model, provider: ev.provider, messageId: ev.messageId } };
    case 'thinking_start':
      return { type: 'thinking_start', payload: {} };
    case 'thinking':
      return { type: 'thinking_delta', payload: { thinking: ev.delta } };
    case 'thinking_end':
      return ev.signature ? { type: 'signature_delta', payload: { signature: ev.signature } } : null;
    case 'text':
      return { type: 'text_delta', payload: { text: ev.delta } };
    case 'tool_call':
      return { type: 'tool_use', payload: { id: ev.id, name: ev.name, input: ev.args } };
    case 'usage':
      state.usage = { inputTokens: ev.inputTokens, outputTokens: ev.outputTokens };
      return { type: 'usage', payload: { inputTokens: ev.inputTokens, outputTokens: ev.outputTokens } };
    case 'done':
      return { type: 'done', payload: { model: state.model, stopReason: ev.stopReason, inputTokens: state.usage.inputTokens, outputTokens: state.usage.outputTokens } };
    case 'error':
      return { type: 'error', payload: { error: scrubSecrets(ev.message), code: ev.code } };
    default:
      return null;
  }
}
