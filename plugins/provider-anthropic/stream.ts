/**
 * One streamed Messages API call → provider events. The SDK parses the SSE stream and accumulates the message; this
 * only translates its events, reading finished blocks (thinking signature, parsed tool input) from the SDK's snapshot.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { ProviderEvent, StopReason } from '../../core/plugin-api/index.ts';
import { providerError } from '../../core/plugin-api/index.ts';

/**
 * Stream a request. Ends with `usage` then `stop`; an aborted `signal` ends it with `stop: aborted` (no throw); an
 * upstream failure throws a coded `AppError`.
 */
export async function* streamMessages(
  client: Anthropic,
  params: Anthropic.MessageStreamParams,
  signal: AbortSignal,
): AsyncGenerator<ProviderEvent> {
  if (signal.aborted) {
    yield { type: 'stop', reason: 'aborted' };
    return;
  }
  const stream = client.messages.stream(params, { signal });
  // The iterator below can lag behind the network, and the SDK drops its snapshot at `message_stop`; so each block is
  // captured from the snapshot at the moment its `content_block_stop` arrives, while it is still there and final.
  const finished = new Map<number, Anthropic.ContentBlock>();
  stream.on('streamEvent', (event, snapshot) => {
    if (event.type === 'content_block_stop') finished.set(event.index, snapshot.content[event.index]);
  });
  try {
    for await (const event of stream) {
      yield* translate(event, finished);
    }
    if (signal.aborted) {
      yield { type: 'stop', reason: 'aborted' };
      return;
    }
    const message = await stream.finalMessage();
    yield usageEvent(message.usage);
    yield { type: 'stop', reason: mapStopReason(message.stop_reason) };
  } catch (err) {
    if (signal.aborted) {
      yield { type: 'stop', reason: 'aborted' };
      return;
    }
    throw providerError('Anthropic', err);
  } finally {
    // Leaving early (the consumer broke out) must not leave the HTTP request running.
    if (!stream.ended) stream.abort();
  }
}

function* translate(event: Anthropic.MessageStreamEvent, finished: Map<number, Anthropic.ContentBlock>): Generator<ProviderEvent> {
  switch (event.type) {
    case 'content_block_start':
      if (event.content_block.type === 'thinking') yield { type: 'thinking_start' };
      break;
    case 'content_block_delta':
      if (event.delta.type === 'text_delta') yield { type: 'text', delta: event.delta.text };
      else if (event.delta.type === 'thinking_delta') yield { type: 'thinking', delta: event.delta.thinking };
      // input_json_delta / signature_delta are accumulated by the SDK and read from the finished block.
      break;
    case 'content_block_stop': {
      const block = finished.get(event.index);
      finished.delete(event.index);
      if (block?.type === 'thinking') {
        yield block.signature ? { type: 'thinking_end', signature: block.signature } : { type: 'thinking_end' };
      } else if (block?.type === 'tool_use') {
        yield { type: 'tool_call', id: block.id, name: block.name, args: asArgs(block.input) };
      }
      break;
    }
  }
}

/** Tool input is an object by the API's contract; anything else (an empty stream of JSON) becomes `{}`. */
function asArgs(input: unknown): Record<string, unknown> {
  return input && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
}

/**
 * Anthropic counts cache reads and writes apart from `input_tokens`; `inputTokens` is the whole prompt (all three), so
 * it means the same as on the other providers, and `cacheReadTokens` says how much of it came from cache.
 * `reasoningTokens` is the thinking share of `outputTokens`.
 */
function usageEvent(usage: Anthropic.Usage): ProviderEvent {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const reasoning = usage.output_tokens_details?.thinking_tokens ?? 0;
  return {
    type: 'usage',
    inputTokens: usage.input_tokens + cacheRead + cacheWrite,
    outputTokens: usage.output_tokens,
    ...(cacheRead ? { cacheReadTokens: cacheRead } : {}),
    ...(reasoning ? { reasoningTokens: reasoning } : {}),
  };
}

/** Anthropic's stop reasons → ours. A refusal or a paused server-tool turn still ends the turn normally. */
export function mapStopReason(reason: Anthropic.StopReason | null): StopReason {
  switch (reason) {
    case 'tool_use':
      return 'tool_use';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'max_tokens';
    default:
      return 'end_turn';
  }
}
