/** `ProviderRequest` → an Ollama `/api/chat` request (streaming). */
import type { ChatRequest, Tool } from 'ollama';
import type { ProviderRequest } from '../../core/plugin-api/index.ts';
import { localModelName } from './config.ts';
import { mapMessages } from './map-messages.ts';

/** Build the request. Ollama has no thinking budget, so a request for thinking is just `think: true`. */
export function buildRequest(request: ProviderRequest): ChatRequest & { stream: true } {
  return {
    model: localModelName(request.model),
    messages: mapMessages(request.messages, request.system),
    stream: true,
    ...(request.thinking ? { think: true } : {}),
    options: {
      num_predict: request.maxTokens,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    },
    ...(request.tools?.length
      ? {
          tools: request.tools.map((t) => ({
            type: 'function',
            // The library types a narrow JSON Schema subset; the server takes any JSON Schema object.
            function: { name: t.name, description: t.description, parameters: t.inputSchema as Tool['function']['parameters'] },
          })),
        }
      : {}),
  };
}
