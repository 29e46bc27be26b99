/**
 * Our Anthropic-shaped messages → Ollama chat messages:
 * - `text` → `content`; base64 `image` → `images` (Ollama takes raw base64); a URL image cannot be sent (Ollama only
 *   takes image data) and becomes a text note;
 * - assistant `thinking` → `thinking`, `tool_use` → `tool_calls` (arguments as an object);
 * - `tool_result` → one `role: 'tool'` message each with `tool_name` (found from the matching earlier `tool_use`),
 *   placed before the rest of that user message.
 */
import type { Message } from 'ollama';
import type { ChatMessage, ContentBlock } from '../../core/plugin-api/index.ts';

type ImageBlock = Extract<ContentBlock, { type: 'image' }>;

/** Map a conversation, the system prompt first. */
export function mapMessages(messages: ChatMessage[], system?: string): Message[] {
  const toolNames = new Map<string, string>();
  const out: Message[] = system ? [{ role: 'system', content: system }] : [];
  for (const m of messages) {
    if (typeof m.content === 'string') out.push({ role: m.role, content: m.content });
    else if (m.role === 'assistant') out.push(mapAssistant(m.content, toolNames));
    else out.push(...mapUser(m.content, toolNames));
  }
  return out;
}

function mapAssistant(blocks: ContentBlock[], toolNames: Map<string, string>): Message {
  const msg: Message = { role: 'assistant', content: '' };
  const thinking: string[] = [];
  for (const b of blocks) {
    if (b.type === 'text') msg.content += b.text;
    else if (b.type === 'thinking' && b.thinking) thinking.push(b.thinking);
    else if (b.type === 'tool_use') {
      toolNames.set(b.id, b.name);
      (msg.tool_calls ??= []).push({ function: { name: b.name, arguments: b.input ?? {} } });
    }
  }
  if (thinking.length) msg.thinking = thinking.join('\n');
  return msg;
}

function mapUser(blocks: ContentBlock[], toolNames: Map<string, string>): Message[] {
  const tools: Message[] = [];
  const texts: string[] = [];
  const images: string[] = [];
  const addImage = (img: ImageBlock) => {
    if (img.source.type === 'base64') images.push(img.source.data);
    else texts.push(`[image: ${img.source.url}]`);
  };
  for (const b of blocks) {
    if (b.type === 'text') texts.push(b.text);
    else if (b.type === 'image') addImage(b);
    else if (b.type === 'tool_result') {
      const content = typeof b.content === 'string' ? b.content : b.content.flatMap((c) => (c.type === 'text' ? [c.text] : [])).join('\n');
      tools.push({ role: 'tool', content: b.is_error ? `Error: ${content}` : content, tool_name: toolNames.get(b.tool_use_id) ?? 'unknown_tool' });
      if (typeof b.content !== 'string') for (const c of b.content) if (c.type === 'image') addImage(c);
    }
  }
  if (!texts.length && !images.length) return tools;
  return [...tools, { role: 'user', content: texts.join('\n'), ...(images.length ? { images } : {}) }];
}
