/**
 * Edit-and-resend and regenerate: the conversation is cut back to before one of the user's messages (its stored
 * messages and everything after are deleted through `DELETE /api/messages/:id`), then that message — edited or as it
 * was — is sent again, so the agent answers from the shortened history.
 */
import { api } from '../api.ts';
import { fromStored, type StoredMessage, type Turn } from './turns.ts';

export interface Rewound {
  /** The message as it was sent (attachment blocks included). */
  sent: string;
  images: string[];
}

/** The ordinal of a user turn among the user's messages (an approval answer continues its turn, it is no turn). */
export function userOrdinal(turns: Turn[], index: number): number {
  return turns.slice(0, index).filter((t) => t.role === 'user').length;
}

/** Delete the `ordinal`-th user message and everything after it; gives back what that message carried. */
export async function rewindTo(conversationId: string, ordinal: number): Promise<Rewound> {
  const { messages } = await api<{ messages: StoredMessage[] }>('GET', `/api/conversations/${encodeURIComponent(conversationId)}`);
  const stored = fromStored(messages);
  const users = stored.filter((t) => t.role === 'user');
  const target = users[ordinal];
  if (!target) throw new Error('That message is no longer in the conversation.');
  const from = messages.findIndex((m) => m.id === target.messageIds[0]);
  // Newest first, so an interruption leaves a history that still ends where it should.
  for (const m of messages.slice(from).reverse()) await api('DELETE', `/api/messages/${encodeURIComponent(m.id)}`);
  return { sent: target.sent ?? '', images: target.images ?? [] };
}

/** The attachment blocks of a sent message, to keep them when only the typed text is edited. */
export function attachmentBlocks(sent: string): string {
  return (sent.match(/\n*<attachment name="[^"]*">\n[\s\S]*?\n<\/attachment>/g) ?? []).join('');
}
