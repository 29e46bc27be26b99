/**
 * Agent events → OpenAI chat completions: one `chat.completion` object, or `chat.completion.chunk`s as they come.
 * Client tool calls become `tool_calls` with `finish_reason: "tool_calls"`; usage is counted from the usage event.
 */
import { randomUUID } from 'node:crypto';
import type { AgentEvent, StopReason } from '../../core/plugin-api/index.ts';
import { errorBody, OpenAIError } from './errors.ts';
import type { ChunkStream } from './stream.ts';

const FINISH: Record<StopReason, string> = { end_turn: 'stop', tool_use: 'tool_calls', max_tokens: 'length', aborted: 'stop', error: 'stop' };

export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

export const newMeta = (model: string): CompletionMeta => ({ id: `chatcmpl-${randomUUID().replace(/-/g, '')}`, created: Math.floor(Date.now() / 1000), model });

interface ToolCallOut {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** What one turn produced, gathered from its events. */
export class TurnResult {
  text = '';
  toolCalls: ToolCallOut[] = [];
  usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  finish: string | null = null;
  error?: OpenAIError;

  /** Take one event; returns what a stream should send for it (a delta), if anything. */
  take(ev: AgentEvent, clientTools: boolean): Record<string, unknown> | undefined {
    switch (ev.type) {
      case 'text':
        this.text += ev.delta;
        return { content: ev.delta };
      case 'tool_call': {
        if (!clientTools) return undefined; // the full agent's own tools run on the server
        const call: ToolCallOut = { id: ev.id, type: 'function', function: { name: ev.name, arguments: JSON.stringify(ev.args ?? {}) } };
        this.toolCalls.push(call);
        return { tool_calls: [{ index: this.toolCalls.length - 1, ...call }] };
      }
      case 'usage':
        this.usage = { prompt_tokens: ev.inputTokens, completion_tokens: ev.outputTokens, total_tokens: ev.inputTokens + ev.outputTokens };
        return undefined;
      case 'done':
        this.finish = clientTools && this.toolCalls.length ? 'tool_calls' : FINISH[ev.stopReason] ?? 'stop';
        return undefined;
      case 'error':
        this.error = new OpenAIError(502, ev.message, 'api_error', ev.code.toLowerCase());
        return undefined;
      default:
        return undefined;
    }
  }

  /** The non-streaming answer. */
  completion(meta: CompletionMeta) {
    return {
      id: meta.id,
      object: 'chat.completion',
      created: meta.created,
      model: meta.model,
      choices: [{
        index: 0,
        message: { role: 'assistant', content: this.text || (this.toolCalls.length ? null : ''), refusal: null, ...(this.toolCalls.length ? { tool_calls: this.toolCalls } : {}) },
        logprobs: null,
        finish_reason: this.finish ?? 'stop',
      }],
      usage: this.usage,
    };
  }
}

/** Stream a turn as chunks: role chunk, deltas, the finish chunk, the usage chunk (when asked), `[DONE]`. */
export async function streamChunks(events: AsyncIterator<AgentEvent>, first: IteratorResult<AgentEvent>, out: ChunkStream, meta: CompletionMeta, opts: { clientTools: boolean; includeUsage: boolean; onEvent?: (ev: AgentEvent) => void }): Promise<void> {
  const result = new TurnResult();
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    out.send({ id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(opts.includeUsage ? { usage: null } : {}) });
  chunk({ role: 'assistant', content: '' });
  let step = first;
  try {
    while (!step.done && !out.closed) {
      opts.onEvent?.(step.value);
      const delta = result.take(step.value, opts.clientTools);
      if (delta) chunk(delta);
      step = await events.next();
    }
  } catch (error: any) {
    result.error = new OpenAIError(502, String(error?.message ?? 'The stream failed'), 'api_error');
  }
  if (result.error) out.send(errorBody(result.error));
  else {
    chunk({}, result.finish ?? 'stop');
    if (opts.includeUsage) out.send({ id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model, choices: [], usage: result.usage });
  }
  out.finish();
}
