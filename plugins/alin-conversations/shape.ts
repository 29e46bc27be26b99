/** How conversations and messages look on the wire, and the mapping of the message token aliases. */
import { notFound, type ConversationRecord } from '../../core/plugin-api/index.ts';
import { ID, type MessageInput, type MessagePatchInput } from './schemas.ts';

/** A path id that cannot exist (bad characters, too long) is simply not found — never a 500 from the store. */
export function pathId(raw: unknown, what = 'Conversation'): string {
  if (typeof raw !== 'string' || !ID.test(raw)) throw notFound(`${what} not found`);
  return raw;
}

/** The list item of `GET /api/conversations` (preview ≤ 100 characters, as the original). */
export function listItem(c: ConversationRecord) {
  return {
    id: c.id,
    title: c.title,
    mode: c.mode,
    model: c.model,
    provider: c.provider,
    isFavorite: c.isFavorite,
    isArchived: c.isArchived,
    isPinned: c.isPinned,
    messageCount: c.messageCount,
    preview: (c.preview ?? '').slice(0, 100),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

/** A single conversation: the list item plus its metadata. */
export function conversationOut(c: ConversationRecord) {
  return { ...listItem(c), metadata: c.metadata ?? {} };
}

type TokenFields = Pick<MessageInput, 'tokens' | 'tokensInput' | 'tokensOutput'>;

/**
 * One token shape for both dialects: `tokens` (a number counts output tokens, or `{ input, output }`) and the original
 * client's `tokensInput`/`tokensOutput` end up stored as both `tokens: { input, output }` and the two flat fields.
 */
export function normalizeTokens(b: TokenFields): { tokens?: { input: number; output: number }; tokensInput?: number; tokensOutput?: number } {
  let tokens: { input: number; output: number } | undefined;
  if (typeof b.tokens === 'number') tokens = { input: b.tokensInput ?? 0, output: b.tokens };
  else if (b.tokens) tokens = { input: b.tokens.input, output: b.tokens.output };
  else if (b.tokensInput !== undefined || b.tokensOutput !== undefined) tokens = { input: b.tokensInput ?? 0, output: b.tokensOutput ?? 0 };
  return tokens ? { tokens, tokensInput: tokens.input, tokensOutput: tokens.output } : {};
}

/** The stored fields of a new message (undefined fields left out, so records stay small). */
export function newMessage(b: MessageInput) {
  const out: Record<string, unknown> = { role: b.role, content: b.content, ...normalizeTokens(b) };
  for (const k of ['id', 'model', 'cost', 'parentId', 'thinkingContent', 'metadata'] as const) if (b[k] !== undefined) out[k] = b[k];
  return out as { role: MessageInput['role']; content: MessageInput['content'] } & Record<string, unknown>;
}

/** The stored fields of a message patch. */
export function messagePatch(b: MessagePatchInput) {
  const out: Record<string, unknown> = { ...normalizeTokens(b) };
  for (const k of ['content', 'metadata', 'thinkingContent'] as const) if (b[k] !== undefined) out[k] = b[k];
  return out;
}
