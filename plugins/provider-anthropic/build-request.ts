/** `ProviderRequest` → the Messages API body (model, max tokens, system, tools, thinking). */
import type Anthropic from '@anthropic-ai/sdk';
import type { ProviderRequest } from '../../core/plugin-api/index.ts';
import { mapMessages } from './map-messages.ts';
import { MIN_THINKING_BUDGET, thinkingParams } from './thinking.ts';

/** Build the streaming request body. */
export function buildRequest(request: ProviderRequest): Anthropic.MessageCreateParamsStreaming {
  const params: Anthropic.MessageCreateParamsStreaming = {
    model: request.model,
    max_tokens: request.maxTokens,
    messages: mapMessages(request.messages),
    stream: true,
  };
  if (request.system) {
    // As a block so it can carry a cache marker: a long system prompt is re-read from cache on every step of a loop.
    params.system = [{ type: 'text', text: request.system, cache_control: { type: 'ephemeral' } }];
  }
  if (request.tools?.length) {
    params.tools = request.tools.map((t, i, all) => ({
      name: t.name,
      description: t.description,
      input_schema: t.inputSchema as Anthropic.Tool.InputSchema,
      // One marker on the last tool caches the whole tool list (tools precede the system prompt in the cache prefix).
      ...(i === all.length - 1 ? { cache_control: { type: 'ephemeral' as const } } : {}),
    }));
  }
  if (request.thinking) {
    Object.assign(params, thinkingParams(request.model, request.thinking.budgetTokens));
    // Thinking counts toward max_tokens and a budget must be below it, so the budget comes on top of the answer's
    // own allowance when max_tokens would not cover it.
    const budget = Math.max(MIN_THINKING_BUDGET, Math.floor(request.thinking.budgetTokens));
    if (params.max_tokens <= budget) params.max_tokens = budget + request.maxTokens;
  }
  // `request.temperature` is deliberately not sent: the Messages API has deprecated sampling parameters (this SDK no
  // longer types them), newer models reject them, and they were never allowed together with thinking.
  return params;
}
