/**
 * The two SSE dialects of `events.md` as mappings from `AgentEvent` to frames. `null` = no frame for this event.
 */
import type { AgentEvent } from '../plugin-api/types.ts';
import { scrubSecrets } from '../secret-scrubber.ts';

export type Dialect = 'aion' | 'alin' | 'alin-coding';
export type Frame = { type: string; payload: Record<string, unknown> } | null;

/** AION (`/api/chat`): documented fields first, then the original's aliases. */
export function aionFrame(ev: AgentEvent, state: { approvalPending: boolean }): Frame | Frame[] {
  switch (ev.type) {
    case 'text':
      return { type: 'token', payload: { text: ev.delta, content: ev.delta } };
    case 'thinking':
      return { type: 'thought', payload: { text: ev.delta } };
    case 'tool_call':
      return { type: 'tool_call', payload: { name: ev.name, args: ev.args, id: ev.id, tool: ev.name, call_id: ev.id } };
    case 'approval':
      state.approvalPending = true;
      return { type: 'approval', payload: { message: ev.message, id: ev.id, name: ev.name, args: ev.args } };
    case 'tool_result':
      state.approvalPending = false;
      return {
        type: 'tool_result',
        payload: { name: ev.name, result: ev.result, ok: ev.ok, id: ev.id, tool: ev.name, call_id: ev.id, duration: Math.round(ev.durationMs) / 1000 },
      };
    case 'progress':
      return { type: 'progress', payload: { call_id: ev.id, percent: ev.percent, label: ev.label ?? '' } };
    case 'usage':
      return { type: 'usage', payload: { input_tokens: ev.inputTokens, output_tokens: ev.outputTokens } };
    case 'done': {
      const blocks: Array<Record<string, unknown>> = [];
      if (ev.text) blocks.push({ type: 'text', content: ev.text });
      for (const m of ev.media ?? []) blocks.push(m.type === 'audio' ? { type: 'audio', url: m.url, format: m.format ?? 'mp3' } : { type: 'image', url: m.url });
      const audio = ev.media?.find((m) => m.type === 'audio');
      return {
        type: 'done',
        payload: {
          full_response: ev.text,
          response_blocks: blocks,
          approval_pending: state.approvalPending,
          stop_reason: ev.stopReason,
          ...(audio ? { audio: { url: audio.url, format: audio.format ?? 'mp3' } } : {}),
          ...(ev.stopReason === 'aborted' ? { cancelled: true } : {}),
        },
      };
    }
    case 'error':
      return { type: 'error', payload: { message: scrubSecrets(ev.message), code: ev.code } };
    default:
      return null;
  }
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
