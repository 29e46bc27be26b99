/**
 * Our conversation → one prompt for `claude -p` (the CLI keeps no state between calls). A single user message is sent
 * as is; a longer conversation is written out as a transcript ending with the new message. Tool calls and results of
 * earlier turns become short notes; images cannot travel through a text prompt and are noted as omitted.
 */
import type { ChatMessage, ContentBlock } from '../../core/plugin-api/index.ts';

function blockText(block: ContentBlock): string {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'tool_use':
      return `[tool call ${block.name} ${JSON.stringify(block.input).slice(0, 2000)}]`;
    case 'tool_result': {
      const body = typeof block.content === 'string' ? block.content : block.content.map((b) => (b.type === 'text' ? b.text : '[image]')).join('\n');
      return `[tool result${block.is_error ? ' (error)' : ''}: ${body.slice(0, 8000)}]`;
    }
    case 'image':
      return '[image omitted]';
    default:
      return ''; // thinking stays private to the turn that made it
  }
}

export function messageText(message: ChatMessage): string {
  if (typeof message.content === 'string') return message.content;
  return message.content.map(blockText).filter(Boolean).join('\n');
}

/** The text written to the CLI's stdin. */
export function buildPrompt(messages: ChatMessage[], system?: string): string {
  const parts: string[] = [];
  if (system) parts.push(`<instructions>\n${system}\n</instructions>`);
  if (messages.length === 1 && messages[0].role === 'user') {
    parts.push(messageText(messages[0]));
    return parts.join('\n\n');
  }
  const history = messages.slice(0, -1);
  const last = messages[messages.length - 1];
  parts.push('<conversation>');
  for (const m of history) parts.push(`${m.role === 'user' ? 'User' : 'Assistant'}: ${messageText(m)}`);
  parts.push('</conversation>');
  parts.push(last ? `${last.role === 'user' ? '' : 'Continue from your last message: '}${messageText(last)}` : '');
  return parts.join('\n\n');
}
