/**
 * The provider's stream translation as it was before issue #16: the SDK's `MessageStream` parses and accumulates the
 * message, and each finished block is read from its snapshot. Kept as the reference the eventsource-parser reader is
 * compared against (tests/providers/anthropic-reader-parity.test.ts) and benchmarked against
 * (scripts/bench/anthropic-parse.ts). Not used by the product.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { ProviderEvent } from '../../core/plugin-api/index.ts';
import { providerError } from '../../core/plugin-api/index.ts';
import { mapStopReason } from '../../plugins/provider-anthropic/stream.ts';

export async function* sdkStreamMessages(client: Anthropic, params: Anthropic.MessageStreamParams, signal: AbortSignal): AsyncGenerator<ProviderEvent> {
  if (signal.aborted) {
    yield { type: 'stop', reason: 'aborted' };
    return;
  }
  const stream = client.messages.stream(params, { signal });
  const finished = new Map<number, Anthropic.ContentBlock>();
  stream.on('streamEvent', (event, snapshot) => {
    if (event.type === 'content_block_stop') finished.set(event.index, snapshot.content[event.index]);
  });
  try {
    for await (const event of stream) yield* translate(event, finished);
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
      // An empty thinking delta carries nothing (the shared ThinkingBlocks machine drops it).
      else if (event.delta.type === 'thinking_delta' && event.delta.thinking) yield { type: 'thinking', delta: event.delta.thinking };
      break;
    case 'content_block_stop': {
      const block = finished.get(event.index);
      finished.delete(event.index);
      if (block?.type === 'thinking') {
        yield block.signature ? { type: 'thinking_end', signature: block.signature } : { type: 'thinking_end' };
      } else if (block?.type === 'redacted_thinking') {
        // Our mapping (the same as the product's, not the SDK's): an empty block signed with the encrypted data.
        yield { type: 'thinking_start' };
        yield { type: 'thinking_end', signature: block.data };
      } else if (block?.type === 'tool_use') {
        const input = block.input;
        yield { type: 'tool_call', id: block.id, name: block.name, args: input && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {} };
      }
      break;
    }
  }
}

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
