/**
 * The ALIN Coding-mode dialect (`POST /api/coding/stream`), as the original front-end reads it (`apiService.ts`):
 * `start`, `text_delta { text }`, `tool_start { activityId, toolName, toolInput }` when a server tool begins,
 * `tool_result { activityId, toolName, toolInput, success, result }` (result text cut at 2,000 characters for display),
 * `done { stopReason, inputTokens, outputTokens, model }`, `error { error }`. Thinking is not shown in this mode; an
 * approval request is announced as text and as an `approval` frame (answered with `POST /api/chat/approve`).
 */
import type { AgentEvent } from '../plugin-api/types.ts';
import type { Frame } from './dialects.ts';

/** Characters of a tool result sent for display. */
const RESULT_PREVIEW = 2000;

export interface CodingState {
  model: string;
  usage: { inputTokens: number; outputTokens: number };
  /** Tool inputs by call id, repeated on `tool_result` (the client reads `toolInput.path` there). */
  inputs: Map<string, unknown>;
}

export function newCodingState(): CodingState {
  return { model: '', usage: { inputTokens: 0, outputTokens: 0 }, inputs: new Map() };
}

const preview = (result: unknown) => {
  const text = typeof result === 'string' ? result : JSON.stringify(result) ?? '';
  return text.length > RESULT_PREVIEW ? text.slice(0, RESULT_PREVIEW) : text;
};

export function alinCodingFrame(ev: AgentEvent, state: CodingState): Frame | Frame[] {
  switch (ev.type) {
    case 'start':
      state.model = ev.model;
      return { type: 'start', payload: { model: ev.model, provider: ev.provider, messageId: ev.messageId } };
    case 'text':
      return { type: 'text_delta', payload: { text: ev.delta } };
    case 'tool_call':
      state.inputs.set(ev.id, ev.args);
      return { type: 'tool_start', payload: { activityId: ev.id, toolName: ev.name, toolInput: ev.args } };
    case 'approval':
      return [
        { type: 'text_delta', payload: { text: `\n\n*${ev.message}*\n\n` } },
        { type: 'approval', payload: { id: ev.id, name: ev.name, args: ev.args, message: ev.message } },
      ];
    case 'tool_result': {
      const toolInput = state.inputs.get(ev.id);
      state.inputs.delete(ev.id);
      return { type: 'tool_result', payload: { activityId: ev.id, toolName: ev.name, toolInput, success: ev.ok, result: preview(ev.result) } };
    }
    case 'usage':
      state.usage = { inputTokens: ev.inputTokens, outputTokens: ev.outputTokens };
      return null;
    case 'done':
      return { type: 'done', payload: { stopReason: ev.stopReason, inputTokens: state.usage.inputTokens, outputTokens: state.usage.outputTokens, model: state.model } };
    case 'error':
      return { type: 'error', payload: { error: ev.message, code: ev.code } };
    default:
      return null;
  }
}
