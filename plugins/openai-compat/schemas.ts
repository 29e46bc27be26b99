/** The request body of `POST /v1/chat/completions` (OpenAI Chat Completions), validated with zod. */
import { z } from 'zod';

const TextPart = z.object({ type: z.literal('text'), text: z.string().max(2_000_000) });
const ImagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().max(20_000_000), detail: z.string().max(16).optional() }),
});
const Text = z.union([z.string().max(2_000_000), z.array(TextPart).max(500)]);

const ToolCall = z.object({
  id: z.string().min(1).max(200),
  type: z.literal('function').default('function'),
  function: z.object({ name: z.string().min(1).max(64), arguments: z.string().max(2_000_000).default('{}') }),
});

export const Message = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: Text, name: z.string().max(64).optional() }),
  z.object({ role: z.literal('developer'), content: Text, name: z.string().max(64).optional() }),
  z.object({ role: z.literal('user'), content: z.union([z.string().max(2_000_000), z.array(z.union([TextPart, ImagePart])).max(500)]), name: z.string().max(64).optional() }),
  z.object({ role: z.literal('assistant'), content: Text.nullish(), tool_calls: z.array(ToolCall).max(128).optional(), name: z.string().max(64).optional() }),
  z.object({ role: z.literal('tool'), tool_call_id: z.string().min(1).max(200), content: Text }),
]);
export type OpenAIMessage = z.infer<typeof Message>;

const Tool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'function names are [a-zA-Z0-9_-]{1,64}'),
    description: z.string().max(10_000).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type OpenAITool = z.infer<typeof Tool>;

export const ToolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().max(64) }) }),
]);

export const ChatCompletionBody = z.object({
  model: z.string({ error: 'model is required' }).min(1).max(128),
  messages: z.array(Message, { error: 'messages must be an array' }).min(1, 'messages must not be empty').max(2000),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  tools: z.array(Tool).max(128).optional(),
  tool_choice: ToolChoice.optional(),
  max_tokens: z.number().int().min(1).max(200_000).nullish(),
  max_completion_tokens: z.number().int().min(1).max(200_000).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  n: z.literal(1, { error: 'only n = 1 is supported' }).nullish(),
  user: z.string().max(256).optional(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionBody>;

/** zod issue path → OpenAI's `param` (`messages[0].content`). */
export function paramOf(path: ReadonlyArray<PropertyKey>): string | null {
  if (!path.length) return null;
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${String(p)}` : String(p))).join('');
}
