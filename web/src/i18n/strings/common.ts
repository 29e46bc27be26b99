/** Strings shared by every page: the shell, buttons, states. */
import type { StringTable } from '../index.ts';

const en = {
  'common.loading': 'Loading…',
  'common.save': 'Save',
  'common.cancel': 'Cancel',
  'common.delete': 'Delete',
  'common.close': 'Close',
  'common.retry': 'Retry',
  'common.copy': 'Copy',
  'common.copied': 'Copied',
  'common.search': 'Search',
  'common.language': 'Language',
  'common.signOut': 'Sign out',
} as const;

type Key = keyof typeof en;

export const common: StringTable<Key> = {
  en,
  de: {
    'common.loading': 'Lädt…',
    'common.save': 'Speichern',
    'common.cancel': 'Abbrechen',
    'common.delete': 'Löschen',
    'common.close': 'Schließen',
    'common.retry': 'Erneut versuchen',
    'common.copy': 'Kopieren',
    'common.copied': 'Kopiert',
    'common.search': 'Suchen',
    'common.language': 'Sprache',
    'common.signOut': 'Abmelden',
  },
};
