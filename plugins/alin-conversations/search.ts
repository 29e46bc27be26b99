/**
 * `GET /api/conversations?search=` (ours, for the panel): the caller's conversations whose title or any message text
 * contains the term, case-insensitive. A self-hoster's history is small enough to scan; nothing is indexed.
 */
import type { ConversationRecord, UserConversationsApi } from '../../core/plugin-api/index.ts';

/** The plain text of stored content (a string, or text blocks and string tool results). */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((b: any) => (b?.type === 'text' && typeof b.text === 'string' ? b.text : '')).join('\n');
}

export async function searchConversations(
  convs: UserConversationsApi,
  term: string,
  opts: { archived: boolean; limit: number; offset: number },
): Promise<ConversationRecord[]> {
  const needle = term.toLocaleLowerCase();
  const { conversations } = await convs.listConversations({ archived: opts.archived, limit: Number.MAX_SAFE_INTEGER });
  const hits: ConversationRecord[] = [];
  for (const c of conversations) {
    if (hits.length >= opts.offset + opts.limit) break;
    if (c.title.toLocaleLowerCase().includes(needle) || (await messagesContain(convs, c.id, needle))) hits.push(c);
  }
  return hits.slice(opts.offset);
}

async function messagesContain(convs: UserConversationsApi, id: string, needle: string): Promise<boolean> {
  for (const m of (await convs.listMessages(id)) ?? []) if (textOf(m.content).toLocaleLowerCase().includes(needle)) return true;
  return false;
}
