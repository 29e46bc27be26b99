/**
 * The app shell: checks the saved token, shows sign-in or the sidebar app, and marks itself ready (`data-ready` on
 * <html> and the `aion:ready` performance mark) once the first real screen is on the page.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, session } from './api.ts';
import { ChannelsPage } from './pages/channels.tsx';
import { ChatPage } from './pages/chat.tsx';
import { MemoryPage } from './pages/memory.tsx';
import { PluginsPage } from './pages/plugins.tsx';
import { PromptsPage } from './pages/prompts.tsx';
import { ProvidersPage } from './pages/providers.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { SystemPage } from './pages/system.tsx';
import { ActivityPage } from './pages/activity.tsx';
import { ApiKeysPage } from './pages/api-keys.tsx';
import { McpPage } from './pages/mcp.tsx';
import { SchedulesPage } from './pages/schedules.tsx';
import { UsersPage } from './pages/users.tsx';
import { WelcomePage } from './pages/welcome.tsx';
import { ROUTES, useRoute, type RouteId } from './router.ts';
import { applyTheme, initialTheme, type Theme } from './theme.ts';
import { UserContext, type User } from './user.ts';

const PAGES: Record<RouteId, () => preact.JSX.Element> = {
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
};

function markReady() {
  if (document.documentElement.dataset.ready) return;
  document.documentElement.dataset.ready = 'true';
  performance.mark('aion:ready');
}

export function App() {
  const [user, setUser] = useState<User | null | undefined>(session.token ? undefined : null);
  const refresh = useCallback(async () => {
    try {
      const me = await api<{ user: User }>('GET', '/api/auth/me');
      setUser(me.user);
    } catch {
      if (!session.token) setUser(null);
    }
  }, []);
  useEffect(() => {
    if (session.token) void refresh();
    return session.onSignOut(() => setUser(null));
  }, []);
  useEffect(() => {
    if (user !== undefined) requestAnimationFrame(markReady);
  }, [user]);

  if (user === undefined) return <p class="loading" role="status">Loading…</p>;
  if (user === null)
    return (
      <SignInPage
        onSignedIn={(token, u) => {
          session.set(token);
          setUser(u);
          void refresh();
        }}
      />
    );
  return (
    <UserContext.Provider value={{ user, refresh }}>
      <Shell user={user} />
    </UserContext.Provider>
  );
}

function Shell({ user }: { user: User }) {
  const route = useRoute();
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const [menuOpen, setMenuOpen] = useState(false);
  const routes = ROUTES.filter((r) => !('admin' in r && r.admin) || user.isAdmin);
  const allowed = routes.some((r) => r.id === route) ? route : 'chat';
  const Current = PAGES[allowed];
  const first = useRef(true);
  useEffect(() => {
    setMenuOpen(false);
    // Move focus to the new page's heading for keyboard and screen-reader users (not on first load).
    if (!first.current) (document.getElementById('page-title') as HTMLElement | null)?.focus();
    first.current = false;
  }, [allowed]);

  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <aside class={menuOpen ? 'sidebar open' : 'sidebar'}>
        <div class="brand">
          <span class="logo" aria-hidden="true">◆</span> AION
          <button type="button" class="btn menu-toggle" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen(!menuOpen)}>
            Menu
          </button>
        </div>
        <nav id="main-nav" aria-label="Main">
          <ul>
            {routes.map((r) => (
              <li key={r.id}>
                <a href={`#/${r.id}`} aria-current={r.id === allowed ? 'page' : undefined} data-route={r.id}>
                  {r.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="sidebar-foot">
          <span class="who" title={user.email}>
            {user.displayName || user.email}
            <small>
              {user.role} · {user.plan}
            </small>
          </span>
          <button
            type="button"
            class="btn"
            aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
            onClick={() => {
              const next = theme === 'dark' ? 'light' : 'dark';
              applyTheme(next, true);
              setTheme(next);
            }}
          >
            {theme === 'dark' ? '☀ Light' : '☾ Dark'}
          </button>
          <button type="button" class="btn" onClick={() => session.clear()}>
            Sign out
          </button>
        </div>
      </aside>
      <main id="main" class="main">
        <Current />
      </main>
    </div>
  );
}
