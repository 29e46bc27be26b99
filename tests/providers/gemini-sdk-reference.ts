/**
 * The provider's stream reading as it was before issue #16: the SDK's own `generateContentStream` iterator parses the
 * event stream. Kept as the reference the eventsource-parser reader is compared against
 * (tests/providers/gemini-reader-parity.test.ts). The part translation is the provider's own. Not used by the product.
 */
import type { GenerateContentParameters, GenerateContentResponseUsageMetadata, GoogleGenAI } from '@google/genai';
import { AppError, providerError, type ProviderEvent } from '../../core/plugin-api/index.ts';
import { mapFinishReason, PartTranslator, usageEvent } from '../../plugins/provider-gemini/stream.ts';

export async function* sdkStreamGemini(client: GoogleGenAI, params: GenerateContentParameters, signal: AbortSignal): AsyncGenerator<ProviderEvent> {
  const state = new PartTranslator();
  let usage: GenerateContentResponseUsageMetadata | undefined;
  let finish: string | undefined;
  try {
    const stream = await client.models.generateContentStream({ ...params, config: { ...params.config, abortSignal: signal } });
    for await (const chunk of stream) {
      if (chunk.usageMetadata) usage = chunk.usageMetadata;
      const blocked = chunk.promptFeedback?.blockReason;
      if (blocked) throw new AppError(502, 'PROVIDER_BLOCKED', `Gemini blocked the prompt (${blocked})`, { provider: 'Gemini' });
      const candidate = chunk.candidates?.[0];
      for (const part of candidate?.content?.parts ?? []) yield* state.translate(part);
      if (candidate?.finishReason) finish = candidate.finishReason;
    }
  } catch (err) {
    throw err instanceof AppError ? err : providerError('Gemini', err);
  }
  yield* state.end();
  if (usage) yield usageEvent(usage);
  yield { type: 'stop', reason: mapFinishReason(finish, state.toolCalls > 0) };
}
