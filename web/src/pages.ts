/**
 * The component of every page in page-list.ts. `satisfies Record<PageId, …>` makes the typecheck fail when a listed
 * page has no component here (or a component has no entry there).
 */
import type { FunctionComponent } from 'preact';
import { PAGE_LIST, type PageId, type PageInfo } from './page-list.ts';
import { ActivityPage } from './pages/activity.tsx';
import { ApiKeysPage } from './pages/api-keys.tsx';
import { ChannelsPage } from './pages/channels.tsx';
import { ChatPage } from './pages/chat.tsx';
import { McpPage } from './pages/mcp.tsx';
import { MemoryPage } from './pages/memory.tsx';
import { PluginsPage } from './pages/plugins.tsx';
import { PromptsPage } from './pages/prompts.tsx';
import { ProvidersPage } from './pages/providers.tsx';
import { SchedulesPage } from './pages/schedules.tsx';
import { SystemPage } from './pages/system.tsx';
import { UsersPage } from './pages/users.tsx';
import { WelcomePage } from './pages/welcome.tsx';

const COMPONENTS = {
  chat: ChatPage,
  plugins: PluginsPage,
  providers: ProvidersPage,
  memory: MemoryPage,
  prompts: PromptsPage,
  channels: ChannelsPage,
  system: SystemPage,
  welcome: WelcomePage,
  users: UsersPage,
  'api-keys': ApiKeysPage,
  'mcp-servers': McpPage,
  schedules: SchedulesPage,
  activity: ActivityPage,
} satisfies Record<PageId, FunctionComponent>;

export interface PageEntry extends PageInfo {
  component: FunctionComponent;
}

export const PAGES: readonly PageEntry[] = PAGE_LIST.map((p) => ({ ...p, component: COMPONENTS[p.id] }));
