/** `ProviderRequest` → `generateContentStream` parameters (contents, system instruction, tools, thinking, limits). */
import type { GenerateContentParameters } from '@google/genai';
import type { ProviderRequest } from '../../core/plugin-api/index.ts';
import { mapMessages } from './map-messages.ts';

/** Build the request. The abort signal is added by `stream.ts`, which owns the call's lifetime. */
export function buildRequest(request: ProviderRequest): GenerateContentParameters {
  return {
    model: request.model,
    contents: mapMessages(request.messages),
    config: {
      maxOutputTokens: request.maxTokens,
      ...(request.system ? { systemInstruction: request.system } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.thinking
        ? { thinkingConfig: { thinkingBudget: Math.floor(request.thinking.budgetTokens), includeThoughts: true } }
        : {}),
      ...(request.tools?.length
        ? {
            tools: [
              {
                functionDeclarations: request.tools.map((t) => ({
                  name: t.name,
                  description: t.description,
                  // Plain JSON Schema as is; `parameters` would need Gemini's OpenAPI subset.
                  parametersJsonSchema: t.inputSchema,
                })),
              },
            ],
          }
        : {}),
    },
  };
}
