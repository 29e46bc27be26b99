/**
 * The panel's pages, in sidebar order: id (the hash address `#/<id>`), label key, icon, admin-only flag. Data only, so
 * the server's tests can read it; the component of each id is in pages.ts (the typecheck fails if one is missing).
 * Adding a page: one entry here, one line in pages.ts, its path in core/http/static.ts PANEL_PATHS.
 */
import type { MessageKey } from './i18n/index.ts';

export interface PageInfo {
  readonly id: string;
  /** Translation key of the sidebar label. */
  readonly label: MessageKey;
  /** A short decorative glyph before the label (hidden from screen readers); pick one DejaVu Sans has (no emoji font on a bare server). */
  readonly icon: string;
  /** Hidden from non-admins; a non-admin opening its address lands on chat. */
  readonly admin?: boolean;
}

export const PAGE_LIST = [
  { id: 'chat', label: 'nav.chat', icon: '✉' },
  { id: 'plugins', label: 'nav.plugins', icon: '⚙', admin: true },
  { id: 'providers', label: 'nav.providers', icon: '⚷', admin: true },
  { id: 'memory', label: 'nav.memory', icon: '✦' },
  { id: 'prompts', label: 'nav.prompts', icon: '✎', admin: true },
  { id: 'channels', label: 'nav.channels', icon: '⇄', admin: true },
  { id: 'system', label: 'nav.system', icon: '◔' },
  { id: 'welcome', label: 'nav.welcome', icon: '☆' },
  { id: 'users', label: 'nav.users', icon: '☺', admin: true },
  { id: 'api-keys', label: 'nav.apiKeys', icon: '⚿' },
  { id: 'mcp-servers', label: 'nav.mcp', icon: '⛓', admin: true },
  { id: 'schedules', label: 'nav.schedules', icon: '◷' },
  { id: 'activity', label: 'nav.activity', icon: '≋' },
] as const satisfies readonly PageInfo[];

export type PageId = (typeof PAGE_LIST)[number]['id'];
