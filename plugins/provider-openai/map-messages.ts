/**
 * Our Anthropic-shaped messages → Chat Completions messages:
 * - `text` → content text; `image` → an `image_url` part (base64 as a data URL);
 * - assistant `tool_use` → `tool_calls` on the assistant message (arguments as a JSON string);
 * - user `tool_result` → one `role: 'tool'` message each, placed before the rest of that user message (the API wants
 *   tool answers right after the assistant's calls). Tool messages carry text only, so images a tool returned follow
 *   in a user message;
 * - `thinking` → dropped (Chat Completions has no way to send reasoning back).
 */
import type OpenAI from 'openai';
import type { ChatMessage, ContentBlock } from '../../core/plugin-api/index.ts';

type Msg = OpenAI.Chat.ChatCompletionMessageParam;
type UserPart = OpenAI.Chat.ChatCompletionContentPartText | OpenAI.Chat.ChatCompletionContentPartImage;
type ImageBlock = Extract<ContentBlock, { type: 'image' }>;

/** Map a conversation, the system prompt first. */
export function mapMessages(messages: ChatMessage[], system?: string): Msg[] {
  const out: Msg[] = system ? [{ role: 'system', content: system }] : [];
  for (const m of messages) {
    if (typeof m.content === 'string') out.push({ role: m.role, content: m.content });
    else if (m.role === 'assistant') out.push(mapAssistant(m.content));
    else out.push(...mapUser(m.content));
  }
  return out;
}

function mapAssistant(blocks: ContentBlock[]): Msg {
  const text = blocks.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
  const calls = blocks.flatMap((b) =>
    b.type === 'tool_use'
      ? [{ id: b.id, type: 'function' as const, function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } }]
      : [],
  );
  // `content: null` is how the API spells "only tool calls".
  return { role: 'assistant', content: text || (calls.length ? null : ''), ...(calls.length ? { tool_calls: calls } : {}) };
}

function mapUser(blocks: ContentBlock[]): Msg[] {
  const tools: Msg[] = [];
  const parts: UserPart[] = [];
  const toolImages: UserPart[] = [];
  for (const b of blocks) {
    if (b.type === 'text') parts.push({ type: 'text', text: b.text });
    else if (b.type === 'image') parts.push(imagePart(b));
    else if (b.type === 'tool_result') {
      const content = typeof b.content === 'string' ? b.content : b.content.flatMap((c) => (c.type === 'text' ? [c.text] : [])).join('\n');
      tools.push({ role: 'tool', tool_call_id: b.tool_use_id, content: b.is_error ? `Error: ${content}` : content });
      if (typeof b.content !== 'string') {
        for (const c of b.content) if (c.type === 'image') toolImages.push(imagePart(c));
      }
    }
  }
  if (toolImages.length) parts.unshift({ type: 'text', text: 'Images returned by the tool calls above:' }, ...toolImages);
  return parts.length ? [...tools, { role: 'user', content: parts }] : tools;
}

function imagePart(block: ImageBlock): OpenAI.Chat.ChatCompletionContentPartImage {
  const url = block.source.type === 'url' ? block.source.url : `data:${block.source.media_type};base64,${block.source.data}`;
  return { type: 'image_url', image_url: { url } };
}
