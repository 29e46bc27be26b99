/**
 * One streamed `/api/chat` call → provider events. The `ollama` client parses the NDJSON stream into chunks; this
 * translates them. Tool calls arrive whole (arguments already an object); usage comes on the final `done` chunk.
 */
import { randomUUID } from 'node:crypto';
import type { AbortableAsyncIterator, ChatRequest, ChatResponse, Ollama } from 'ollama';
import { ThinkingBlocks, type ProviderEvent, type StopReason } from '../../core/plugin-api/index.ts';
import { providerError } from './errors.ts';

/**
 * Stream a request. Ends with `usage` then `stop`; an aborted `signal` ends it with `stop: aborted` (no throw); an
 * upstream failure throws a coded `AppError`. The client must already honour `signal` (see `index.ts`).
 */
export async function* streamChat(
  client: Ollama,
  params: ChatRequest & { stream: true },
  signal: AbortSignal,
  host: string,
): AsyncGenerator<ProviderEvent> {
  // Ollama's `thinking` field and `<think>` text from models that write it into the answer: the same events.
  const blocks = new ThinkingBlocks({ tags: true });
  let toolCalls = 0;
  let last: ChatResponse | undefined;
  let stream: AbortableAsyncIterator<ChatResponse> | undefined;
  try {
    if (signal.aborted) throw signal.reason;
    stream = await client.chat(params);
    for await (const chunk of stream) {
      const msg = chunk.message;
      if (msg?.thinking) for (const ev of blocks.thinking(msg.thinking)) yield ev;
      if (msg?.content) for (const ev of blocks.text(msg.content)) yield ev;
      if (msg?.tool_calls?.length) for (const ev of blocks.end()) yield ev;
      for (const call of msg?.tool_calls ?? []) {
        toolCalls++;
        // Newer Ollama versions send an id; older ones do not, and the runtime needs one to pair the result.
        const id = (call as { id?: string }).id || `call_${randomUUID()}`;
        yield { type: 'tool_call', id, name: call.function.name, args: call.function.arguments ?? {} };
      }
      if (chunk.done) last = chunk;
    }
  } catch (err) {
    if (!signal.aborted) throw providerError(host, err);
  } finally {
    // Ends this request's connection when the consumer stops iterating early (a no-op once it has finished).
    stream?.abort();
  }
  if (signal.aborted) {
    yield { type: 'stop', reason: 'aborted' };
    return;
  }
  for (const ev of blocks.end()) yield ev;
  if (last) yield { type: 'usage', inputTokens: last.prompt_eval_count ?? 0, outputTokens: last.eval_count ?? 0 };
  yield { type: 'stop', reason: mapDoneReason(last?.done_reason, toolCalls > 0) };
}

/** Ollama says `stop` after tool calls too; a call means `tool_use`. */
export function mapDoneReason(reason: string | undefined, hadToolCalls: boolean): StopReason {
  if (hadToolCalls) return 'tool_use';
  return reason === 'length' ? 'max_tokens' : 'end_turn';
}
