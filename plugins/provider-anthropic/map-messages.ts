/**
 * Our messages → Anthropic `MessageParam`s. The runtime's content blocks are already Anthropic-shaped, so this mostly
 * passes them through; it only removes what the API would reject.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { ChatMessage, ContentBlock } from '../../core/plugin-api/index.ts';

type ImageSource = Extract<ContentBlock, { type: 'image' }>['source'];

/** Map a conversation; messages left with no content are dropped. */
export function mapMessages(messages: ChatMessage[]): Anthropic.MessageParam[] {
  const out: Anthropic.MessageParam[] = [];
  for (const m of messages) {
    if (typeof m.content === 'string') {
      if (m.content) out.push({ role: m.role, content: m.content });
      continue;
    }
    const content = m.content.map(mapBlock).filter((b): b is Anthropic.ContentBlockParam => b !== undefined);
    if (content.length) out.push({ role: m.role, content });
  }
  return out;
}

function mapBlock(block: ContentBlock): Anthropic.ContentBlockParam | undefined {
  switch (block.type) {
    case 'text':
      // The API rejects empty text blocks.
      return block.text ? { type: 'text', text: block.text } : undefined;
    case 'image':
      return { type: 'image', source: mapImageSource(block.source) };
    case 'thinking':
      // A thinking block is only accepted back with the signature Anthropic issued for it (it proves the block is
      // unaltered); blocks from other providers or without one are dropped. A signed block with no text is a redacted
      // one (see message-state.ts): its signature is the encrypted data, and it must go back in its place.
      if (!block.signature) return undefined;
      if (!block.thinking) return { type: 'redacted_thinking', data: block.signature };
      return { type: 'thinking', thinking: block.thinking, signature: block.signature };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input ?? {} };
    case 'tool_result':
      return {
        type: 'tool_result',
        tool_use_id: block.tool_use_id,
        content:
          typeof block.content === 'string'
            ? block.content
            : block.content.map((c) =>
                c.type === 'text' ? { type: 'text' as const, text: c.text } : { type: 'image' as const, source: mapImageSource(c.source) },
              ),
        ...(block.is_error ? { is_error: true } : {}),
      };
  }
}

function mapImageSource(source: ImageSource): Anthropic.ImageBlockParam['source'] {
  if (source.type === 'url') return { type: 'url', url: source.url };
  return { type: 'base64', media_type: source.media_type as Anthropic.Base64ImageSource['media_type'], data: source.data };
}
