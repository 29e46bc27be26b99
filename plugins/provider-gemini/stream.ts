/**
 * One `generateContentStream` call → provider events. The SDK builds and sends the request; its raw response is
 * taken (`raw-response.ts`) and parsed by `read-responses.ts` (the SDK's own reader is quadratic in a burst); this
 * translates the responses' parts.
 *
 * Thought signatures: Gemini puts an opaque `thoughtSignature` on the first part after its thinking (a function call,
 * or text), and wants it back on that part next turn — with function calls it rejects the turn otherwise. Our event
 * model carries signatures on `thinking_end`, so the thinking block ends at that part and carries its signature; with
 * no visible thinking, an empty thinking block is emitted just to carry it. `map-messages.ts` puts it back.
 */
import { randomUUID } from 'node:crypto';
import type { GenerateContentParameters, GenerateContentResponseUsageMetadata, GoogleGenAI, Part } from '@google/genai';
import { AppError, type Logger, type ProviderEvent, type StopReason } from '../../core/plugin-api/index.ts';
import { providerError, ThinkingBlocks } from '../../core/plugin-api/index.ts';
import { RawResponse } from './raw-response.ts';
import { readResponseBatches } from './read-responses.ts';

/**
 * Stream a request. Ends with `usage` (when reported) then `stop`; an aborted `signal` ends it with `stop: aborted`
 * (no throw); an upstream failure throws a coded `AppError`.
 */
export async function* streamGemini(
  clientFor: GoogleGenAI | (() => Promise<GoogleGenAI>),
  params: GenerateContentParameters,
  signal: AbortSignal,
  log: Logger,
): AsyncGenerator<ProviderEvent> {
  // The client or how to get it: the provider's `stream` then needs no generator layer of its own.
  const client = typeof clientFor === 'function' ? await clientFor() : clientFor;
  const state = new PartTranslator();
  let usage: GenerateContentResponseUsageMetadata | undefined;
  let finish: string | undefined;
  // Also cut the request when the consumer stops iterating early, not only when `signal` aborts.
  const left = new AbortController();
  const abortSignal = AbortSignal.any([signal, left.signal]);
  try {
    if (signal.aborted) throw signal.reason;
    const raw = new RawResponse(abortSignal);
    const httpOptions = { ...params.config?.httpOptions, fetch: raw.fetch };
    // The SDK's own iterator is left unread: the body it got is empty, the real one is read below.
    await client.models.generateContentStream({ ...params, config: { ...params.config, abortSignal, httpOptions } });
    for await (const batch of readResponseBatches(raw.take())) {
      for (const chunk of batch) {
        // Each chunk repeats the running totals; the last one is complete.
        if (chunk.usageMetadata) usage = chunk.usageMetadata;
        const blocked = chunk.promptFeedback?.blockReason;
        if (blocked) throw new AppError(502, 'PROVIDER_BLOCKED', `Gemini blocked the prompt (${blocked})`, { provider: 'Gemini' });
        const candidate = chunk.candidates?.[0];
        for (const part of candidate?.content?.parts ?? []) for (const ev of state.translate(part)) yield ev;
        if (candidate?.finishReason) finish = candidate.finishReason;
      }
    }
  } catch (err) {
    if (!signal.aborted) throw err instanceof AppError ? err : providerError('Gemini', err);
  } finally {
    left.abort();
  }
  if (signal.aborted) {
    yield { type: 'stop', reason: 'aborted' };
    return;
  }
  for (const ev of state.end()) yield ev;
  if (finish && finish !== 'STOP' && finish !== 'MAX_TOKENS') log.warn({ finishReason: finish }, 'Gemini ended the answer early');
  if (usage) yield usageEvent(usage);
  yield { type: 'stop', reason: mapFinishReason(finish, state.toolCalls > 0) };
}

/** Parts → events; the thinking block (open across parts and chunks) is the plugin API's `ThinkingBlocks`. */
export class PartTranslator {
  private readonly blocks = new ThinkingBlocks();
  /** The signature of the open thinking, given when the block ends. */
  private signature: string | undefined;
  toolCalls = 0;

  *translate(part: Part): Generator<ProviderEvent> {
    if (part.thoughtSignature) this.signature = part.thoughtSignature;
    if (part.thought) {
      yield* this.blocks.thinking(part.text ?? '');
      return;
    }
    yield* this.end();
    if (part.text) yield* this.blocks.text(part.text);
    if (part.functionCall) {
      this.toolCalls++;
      const { id, name, args } = part.functionCall;
      // Gemini rarely sends ids; the runtime needs one to pair the result with the call.
      yield { type: 'tool_call', id: id || `call_${randomUUID()}`, name: name ?? '', args: args ?? {} };
    }
  }

  /** Close an open thinking block, with its signature when there is one (an empty block just to carry it). */
  *end(): Generator<ProviderEvent> {
    const signature = this.signature;
    this.signature = undefined;
    yield* signature ? this.blocks.signature(signature) : this.blocks.close();
  }
}

/**
 * `candidatesTokenCount` excludes thinking; `outputTokens` includes it (as on the other providers) and
 * `reasoningTokens` says how much of it was thinking. `promptTokenCount` already includes cached tokens.
 */
export function usageEvent(u: GenerateContentResponseUsageMetadata): ProviderEvent {
  const thoughts = u.thoughtsTokenCount ?? 0;
  const cached = u.cachedContentTokenCount ?? 0;
  return {
    type: 'usage',
    inputTokens: u.promptTokenCount ?? 0,
    outputTokens: (u.candidatesTokenCount ?? 0) + thoughts,
    ...(cached ? { cacheReadTokens: cached } : {}),
    ...(thoughts ? { reasoningTokens: thoughts } : {}),
  };
}

/** Gemini says `STOP` after function calls too; a call means `tool_use`. Safety and other early ends count as ends. */
export function mapFinishReason(reason: string | undefined, hadToolCalls: boolean): StopReason {
  if (hadToolCalls) return 'tool_use';
  return reason === 'MAX_TOKENS' ? 'max_tokens' : 'end_turn';
}
