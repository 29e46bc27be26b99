/**
 * One streamed Chat Completions call → provider events. `sendChat` sends the request the SDK builds (its parts once per
 * client; failures and retries the SDK's); `readChunks` parses the event stream; this translates the chunks. Tool
 * calls are reported once the stream is done, when their arguments are complete.
 */
import type OpenAI from 'openai';
import type { Logger, ProviderEvent, StopReason } from '../../core/plugin-api/index.ts';
import { providerError, ThinkingBlocks } from '../../core/plugin-api/index.ts';
import { DeltaRun } from './delta-run.ts';
import { readChunkBatches } from './read-chunks.ts';
import { sendChat } from './send.ts';
import { ToolCallAccumulator } from './tool-calls.ts';

/**
 * Reasoning text as OpenAI-compatible servers stream it: `reasoning_content` (DeepSeek, vLLM) or `reasoning`
 * (OpenRouter, Ollama's OpenAI API). OpenAI itself sends none on Chat Completions.
 */
type Delta = OpenAI.Chat.ChatCompletionChunk.Choice.Delta & { reasoning_content?: string | null; reasoning?: string | null };

/**
 * Stream a request. `clientFor` is the client or how to get it, so a provider's `stream` needs no generator layer of
 * its own (every event passes every layer). Ends with `usage` (when the server reports it) then `stop`; an aborted
 * `signal` ends it with `stop: aborted` (no throw); an upstream failure throws a coded `AppError`.
 */
export async function* streamChat(
  clientFor: OpenAI | (() => Promise<OpenAI>),
  params: OpenAI.Chat.ChatCompletionCreateParamsStreaming,
  signal: AbortSignal,
  log: Logger,
): AsyncGenerator<ProviderEvent> {
  const calls = new ToolCallAccumulator();
  let usage: OpenAI.CompletionUsage | undefined;
  let finish: string | null = null;
  // Reasoning fields and DeepSeek/Qwen-style `<think>` text become the same thinking events.
  const blocks = new ThinkingBlocks({ tags: true });
  // Outside the try: a missing key is the caller's 503, not a provider failure.
  const client = typeof clientFor === 'function' ? await clientFor() : clientFor;
  try {
    if (signal.aborted) throw signal.reason;
    const response = await sendChat(client, params, signal);
    const run = new DeltaRun(blocks);
    for await (const batch of readChunkBatches(response)) {
      for (const chunk of batch) {
        // The usage chunk comes last, with empty `choices`.
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices[0];
        if (!choice) continue;
        const delta = choice.delta as Delta;
        const reasoning = delta.reasoning_content || delta.reasoning;
        if (reasoning) for (const ev of run.add('thinking', reasoning)) yield ev;
        const text = delta.content || delta.refusal;
        if (text) for (const ev of run.add('text', text)) yield ev;
        if (delta.tool_calls?.length) {
          for (const ev of run.flush()) yield ev;
          for (const ev of blocks.close()) yield ev;
        }
        calls.add(delta.tool_calls);
        if (choice.finish_reason) finish = choice.finish_reason;
      }
      for (const ev of run.flush()) yield ev;
    }
  } catch (err) {
    if (!signal.aborted) throw providerError('OpenAI', err);
  }
  // An abort may end the body quietly rather than throwing, so the signal is checked here too.
  if (signal.aborted) {
    yield { type: 'stop', reason: 'aborted' };
    return;
  }
  for (const ev of blocks.end()) yield ev;
  for (const call of calls.finish()) {
    if (call.invalidJson !== undefined) {
      // Only the size: arguments may hold user data.
      log.warn({ tool: call.name, chars: call.invalidJson.length }, 'tool call arguments are not valid JSON; passing {}');
    }
    yield { type: 'tool_call', id: call.id, name: call.name, args: call.args };
  }
  if (usage) yield usageEvent(usage);
  yield { type: 'stop', reason: mapFinishReason(finish, calls.size > 0) };
}

/** `prompt_tokens` already includes cached tokens, `completion_tokens` the reasoning ones. */
function usageEvent(usage: OpenAI.CompletionUsage): ProviderEvent {
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens ?? 0;
  return {
    type: 'usage',
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    ...(cached ? { cacheReadTokens: cached } : {}),
    ...(reasoning ? { reasoningTokens: reasoning } : {}),
  };
}

/**
 * `finish_reason` → ours. Any tool call means `tool_use`, whatever the reason says: some compatible servers finish
 * tool calls with `stop`.
 */
export function mapFinishReason(reason: string | null, hadToolCalls: boolean): StopReason {
  if (hadToolCalls) return 'tool_use';
  return reason === 'length' ? 'max_tokens' : 'end_turn';
}
