/**
 * Our Anthropic-shaped messages → Gemini `Content`s (`user` / `model` roles):
 * - `text` → `{ text }`; `image` → `inlineData` (base64) or `fileData` (URL);
 * - `tool_use` → `functionCall`; `tool_result` → `functionResponse`, which needs the function's name — found from the
 *   `tool_use` with the same id earlier in the conversation;
 * - `thinking` → its text is dropped, but its `signature` (Gemini's `thoughtSignature`, see `stream.ts`) goes onto the
 *   next part of the same message, which is where Gemini issued it and wants it back.
 */
import type { Content, Part } from '@google/genai';
import type { ChatMessage, ContentBlock } from '../../core/plugin-api/index.ts';

type ImageBlock = Extract<ContentBlock, { type: 'image' }>;

/** Map a conversation; messages left with no parts are dropped. */
export function mapMessages(messages: ChatMessage[]): Content[] {
  const toolNames = new Map<string, string>();
  const out: Content[] = [];
  for (const m of messages) {
    const role = m.role === 'assistant' ? 'model' : 'user';
    const parts = typeof m.content === 'string' ? (m.content ? [{ text: m.content }] : []) : mapBlocks(m.content, toolNames);
    if (parts.length) out.push({ role, parts });
  }
  return out;
}

function mapBlocks(blocks: ContentBlock[], toolNames: Map<string, string>): Part[] {
  const parts: Part[] = [];
  let signature: string | undefined;
  const push = (part: Part) => {
    parts.push(signature ? { ...part, thoughtSignature: signature } : part);
    signature = undefined;
  };
  for (const b of blocks) {
    switch (b.type) {
      case 'thinking':
        if (b.signature) signature = b.signature;
        break;
      case 'text':
        if (b.text) push({ text: b.text });
        break;
      case 'image':
        push(imagePart(b));
        break;
      case 'tool_use':
        toolNames.set(b.id, b.name);
        // Ids are not sent back: Gemini pairs calls and responses by name and order, and an id it did not issue
        // (one made up in stream.ts, or another provider's) must not reach it.
        push({ functionCall: { name: b.name, args: b.input ?? {} } });
        break;
      case 'tool_result': {
        const text = typeof b.content === 'string' ? b.content : b.content.flatMap((c) => (c.type === 'text' ? [c.text] : [])).join('\n');
        const name = toolNames.get(b.tool_use_id) ?? 'unknown_tool';
        push({ functionResponse: { name, response: b.is_error ? { error: text } : { output: text } } });
        if (typeof b.content !== 'string') for (const c of b.content) if (c.type === 'image') push(imagePart(c));
        break;
      }
    }
  }
  // A signature with nothing after it still has to go back: on an empty text part, as Gemini sent it.
  if (signature) parts.push({ text: '', thoughtSignature: signature });
  return parts;
}

function imagePart(block: ImageBlock): Part {
  if (block.source.type === 'base64') return { inlineData: { mimeType: block.source.media_type, data: block.source.data } };
  return { fileData: { fileUri: block.source.url, mimeType: guessImageType(block.source.url) } };
}

/** Gemini wants a MIME type with a file reference; the extension is all a URL tells. */
function guessImageType(url: string): string {
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  const types: Record<string, string> = { png: 'image/png', gif: 'image/gif', webp: 'image/webp', heic: 'image/heic' };
  return (ext && types[ext]) || 'image/jpeg';
}
