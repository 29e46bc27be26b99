/**
 * OpenAI chat messages → the runtime's messages (Anthropic-shaped blocks): system and developer messages become the
 * system prompt, `image_url` parts image blocks, assistant `tool_calls` tool_use blocks, and `role: tool` messages
 * tool_result blocks — merged so roles alternate as every provider expects.
 */
import type { ChatMessage, ContentBlock } from '../../core/plugin-api/index.ts';
import { invalidRequest } from './errors.ts';
import type { OpenAIMessage, OpenAITool } from './schemas.ts';

const DATA_URL = /^data:([a-z]+\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/=\s]+)$/i;

function textOf(content: string | Array<{ type: 'text'; text: string }> | null | undefined): string {
  if (!content) return '';
  return typeof content === 'string' ? content : content.map((p) => p.text).join('\n');
}

function imageBlock(url: string, param: string): ContentBlock {
  const m = DATA_URL.exec(url);
  if (m) return { type: 'image', source: { type: 'base64', media_type: m[1].toLowerCase(), data: m[2].replace(/\s/g, '') } };
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw invalidRequest('An image_url must be a data: URL (base64) or an http(s) URL', param, 'invalid_image_url');
}

function parseArguments(raw: string, param: string): Record<string, unknown> {
  try {
    const value = raw.trim() ? JSON.parse(raw) : {};
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch { /* answered below */ }
  throw invalidRequest('tool_calls[].function.arguments must be a JSON object', param);
}

function userBlocks(m: Extract<OpenAIMessage, { role: 'user' }>, i: number): ContentBlock[] {
  if (typeof m.content === 'string') return [{ type: 'text', text: m.content }];
  return m.content.map((p, j) => (p.type === 'text' ? { type: 'text', text: p.text } : imageBlock(p.image_url.url, `messages[${i}].content[${j}].image_url.url`)));
}

function assistantBlocks(m: Extract<OpenAIMessage, { role: 'assistant' }>, i: number): ContentBlock[] {
  const text = textOf(m.content);
  const blocks: ContentBlock[] = text ? [{ type: 'text', text }] : [];
  for (const [j, call] of (m.tool_calls ?? []).entries()) {
    blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseArguments(call.function.arguments, `messages[${i}].tool_calls[${j}].function.arguments`) });
  }
  return blocks;
}

/** The system prompt and the conversation of a request. */
export function toChatMessages(messages: OpenAIMessage[]): { system: string; messages: ChatMessage[] } {
  const system: string[] = [];
  const out: Array<{ role: 'user' | 'assistant'; content: ContentBlock[] }> = [];
  const push = (role: 'user' | 'assistant', blocks: ContentBlock[]) => {
    if (!blocks.length) return;
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  messages.forEach((m, i) => {
    if (m.role === 'system' || m.role === 'developer') system.push(textOf(m.content));
    else if (m.role === 'user') push('user', userBlocks(m, i));
    else if (m.role === 'assistant') push('assistant', assistantBlocks(m, i));
    else push('user', [{ type: 'tool_result', tool_use_id: m.tool_call_id, content: textOf(m.content) }]);
  });
  if (!out.length || out[out.length - 1].role !== 'user') throw invalidRequest('The last message must come from the user or a tool', 'messages');
  // A single text block is sent as a plain string (what every provider handles best).
  const simplified: ChatMessage[] = out.map((m) => (m.content.length === 1 && m.content[0].type === 'text' ? { role: m.role, content: m.content[0].text } : m));
  return { system: system.filter(Boolean).join('\n\n'), messages: simplified };
}

/**
 * The client tools offered to the model under `tool_choice`: `none` offers none; a named function only that one;
 * `auto` and `required` all of them (no provider-neutral way to force a call, so `required` is a strong hint only).
 */
export function offeredTools(tools: OpenAITool[] | undefined, choice: unknown): Array<{ name: string; description: string; input_schema: Record<string, unknown> }> {
  if (!tools?.length || choice === 'none') return [];
  const named = typeof choice === 'object' && choice ? (choice as { function: { name: string } }).function.name : undefined;
  const chosen = named ? tools.filter((t) => t.function.name === named) : tools;
  if (named && !chosen.length) throw invalidRequest(`tool_choice names an unknown function: ${named}`, 'tool_choice');
  return chosen.map((t) => ({ name: t.function.name, description: t.function.description ?? '', input_schema: t.function.parameters ?? { type: 'object', properties: {} } }));
}

/** The text and images of the last user message (what the full agent, model `aion`, receives as the new message). */
export function lastUserInput(messages: OpenAIMessage[]): { text: string; images: Array<{ mediaType: string; data: string } | { url: string }> } {
  const i = messages.map((m) => m.role).lastIndexOf('user');
  const m = messages[i] as Extract<OpenAIMessage, { role: 'user' }> | undefined;
  if (!m) throw invalidRequest('model aion needs a user message', 'messages');
  const images: Array<{ mediaType: string; data: string } | { url: string }> = [];
  const text: string[] = [];
  for (const b of userBlocks(m, i)) {
    if (b.type === 'text') text.push(b.text);
    else if (b.type === 'image') images.push(b.source.type === 'url' ? { url: b.source.url } : { mediaType: b.source.media_type, data: b.source.data });
  }
  return { text: text.join('\n'), images };
}
