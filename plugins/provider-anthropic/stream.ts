/**
 * One streamed Messages API call → provider events. The SDK builds and sends the request; `readEvents` parses the
 * event stream from the raw response; `MessageState` turns the events into provider events.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { ProviderEvent, StopReason } from '../../core/plugin-api/index.ts';
import { providerError } from '../../core/plugin-api/index.ts';
import { MessageState } from './message-state.ts';
import { readEvents } from './read-events.ts';

/**
 * Stream a request. Ends with `usage` then `stop`; an aborted `signal` ends it with `stop: aborted` (no throw); an
 * upstream failure throws a coded `AppError`.
 */
export async function* streamMessages(
  clientFor: Anthropic | (() => Promise<Anthropic>),
  params: Anthropic.MessageCreateParamsStreaming,
  signal: AbortSignal,
): AsyncGenerator<ProviderEvent> {
  // The client or how to get it: the provider's `stream` then needs no generator layer of its own (every event would
  // pass it). Outside the try: a missing key is the caller's 503, not a provider failure.
  const client = typeof clientFor === 'function' ? await clientFor() : clientFor;
  // Loaded with the SDK on first use (the client already is), never at plugin load.
  const { partialParse } = await import('@anthropic-ai/sdk/_vendor/partial-json-parser/parser');
  const state = new MessageState(partialParse);
  try {
    if (signal.aborted) throw signal.reason;
    const response = await client.messages.create(params, { signal }).asResponse();
    // The SDK's error class, from the client's own module: the SDK is imported on first use, not with the plugin.
    const { APIError } = client.constructor as typeof Anthropic;
    for await (const event of readEvents(response, APIError)) for (const ev of state.apply(event)) yield ev;
    // The SDK reader's own words for these two, so a log reads the same as before.
    if (!state.started && !signal.aborted) throw new Error('request ended without sending any chunks');
    if (!state.stopped && !signal.aborted) throw new Error('stream ended without producing a Message with role=assistant');
  } catch (err) {
    if (!signal.aborted) throw providerError('Anthropic', err);
  }
  // An abort may end the body quietly rather than throwing, so the signal is checked here too.
  if (signal.aborted) {
    yield { type: 'stop', reason: 'aborted' };
    return;
  }
  yield usageEvent(state.usage!);
  yield { type: 'stop', reason: mapStopReason(state.stopReason) };
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
