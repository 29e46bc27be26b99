/** The chat page: conversation list, messages, composer, tool cards, approvals. */
import type { StringTable } from '../index.ts';

const en = {
  'chat.title': 'Chat',
} as const;

type Key = keyof typeof en;

export const chat: StringTable<Key> = {
  en,
  de: {
    'chat.title': 'Chat',
  },
};
