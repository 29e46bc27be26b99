/**
 * `ProviderRequest` → the Chat Completions body.
 *
 * Token limit: `max_tokens` by default, because OpenAI-compatible servers (vLLM, LM Studio, llama.cpp, OpenRouter, …)
 * widely understand it while many do not know `max_completion_tokens`; OpenAI's reasoning models (o-series, gpt-5)
 * reject `max_tokens`, so they get `max_completion_tokens`, no temperature, and `reasoning_effort` when thinking is
 * asked for.
 */
import type OpenAI from 'openai';
import type { ProviderRequest } from '../../core/plugin-api/index.ts';
import { mapMessages } from './map-messages.ts';

/** True for OpenAI reasoning models (`o1`, `o3-mini`, `o4-mini`, `gpt-5.4`, `openai/o3` via a router, …). */
export function isReasoningModel(model: string): boolean {
  const name = model.split('/').pop() ?? model;
  return /^(o\d|gpt-5)/.test(name);
}

/** A thinking budget → a reasoning effort, so one setting means roughly the same on every provider. */
export function effortFor(budgetTokens: number): 'low' | 'medium' | 'high' {
  if (budgetTokens <= 4096) return 'low';
  if (budgetTokens <= 16384) return 'medium';
  return 'high';
}

/** Build the streaming request body. */
export function buildRequest(request: ProviderRequest): OpenAI.Chat.ChatCompletionCreateParamsStreaming {
  const reasoning = isReasoningModel(request.model);
  const params: OpenAI.Chat.ChatCompletionCreateParamsStreaming = {
    model: request.model,
    messages: mapMessages(request.messages, request.system),
    stream: true,
    // Without it the stream carries no token counts at all.
    stream_options: { include_usage: true },
  };
  if (reasoning) {
    params.max_completion_tokens = request.maxTokens;
    if (request.thinking) params.reasoning_effort = effortFor(request.thinking.budgetTokens);
  } else {
    params.max_tokens = request.maxTokens;
    if (request.temperature !== undefined) params.temperature = request.temperature;
  }
  if (request.tools?.length) {
    params.tools = request.tools.map((t) => ({
      type: 'function',
      function: { name: t.name, description: t.description, parameters: t.inputSchema },
    }));
  }
  return params;
}
