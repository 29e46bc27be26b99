/**
 * The app shell: checks the saved token, shows sign-in or the sidebar app, and marks itself ready (`data-ready` on
 * <html> and the `aion:ready` performance mark) once the first real screen is on the page. Pages come from the
 * registry in pages.ts; the language is re-read on every render through `useLanguage`.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, session } from './api.ts';
import { t, useLanguage } from './i18n/index.ts';
import { LanguageSwitcher } from './language-switcher.tsx';
import { PAGES } from './pages.ts';
import { SignInPage } from './pages/sign-in.tsx';
import { useRoute } from './router.ts';
import { applyTheme, initialTheme, type Theme } from './theme.ts';
import { UserContext, type User } from './user.ts';

function markReady() {
  if (document.documentElement.dataset.ready) return;
  document.documentElement.dataset.ready = 'true';
  performance.mark('aion:ready');
}

export function App() {
  useLanguage();
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

  if (user === undefined)
    return (
      <p class="loading" role="status">
        {t('common.loading')}
      </p>
    );
  if (user === null)
    return (
      <SignInPage
        onSignedIn={(token, u, how) => {
          session.set(token);
          // A new account's first screen is Getting started; the first account (the admin who set the server up)
          // and every later sign-in go where the address says, the chat when it says nothing.
          if (how.signedUp && !u.isAdmin) location.hash = '#/welcome';
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

function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  return (
    <button
      type="button"
      class="btn"
      aria-label={t(theme === 'dark' ? 'shell.themeToLight' : 'shell.themeToDark')}
      onClick={() => {
        const next = theme === 'dark' ? 'light' : 'dark';
        applyTheme(next, true);
        setTheme(next);
      }}
    >
      <span aria-hidden="true">{theme === 'dark' ? '☀ ' : '☾ '}</span>
      {t(theme === 'dark' ? 'shell.light' : 'shell.dark')}
    </button>
  );
}

/** Sign out and leave the page's address, so the next sign-in starts on the chat (a refused token keeps it). */
function signOut() {
  history.replaceState(null, '', location.pathname + location.search);
  session.clear();
}

function Shell({ user }: { user: User }) {
  const route = useRoute();
  const [menuOpen, setMenuOpen] = useState(false);
  const pages = PAGES.filter((p) => !p.admin || user.isAdmin);
  const page = pages.find((p) => p.id === route.page) ?? pages[0]!;
  const Current = page.component;
  const first = useRef(true);
  // A layout effect, not useEffect: Preact runs effects after the next frame (up to 100 ms later under load), so a
  // user who clicked or tabbed into the new page in that gap had the focus pulled back to the heading; a layout
  // effect runs in the same task as the render that shows the page, before any input can reach it.
  useLayoutEffect(() => {
    setMenuOpen(false);
    // Move focus to the new page's heading for keyboard and screen-reader users (not on first load).
    if (!first.current) (document.getElementById('page-title') as HTMLElement | null)?.focus();
    first.current = false;
  }, [page.id]);

  return (
    <div class="shell">
      <a class="skip-link" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        {t('shell.skip')}
      </a>
      <aside class={menuOpen ? 'sidebar open' : 'sidebar'}>
        <div class="brand">
          <span class="logo" aria-hidden="true">◆</span> AION
          <button type="button" class="btn menu-toggle" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen(!menuOpen)}>
            {t('shell.menu')}
          </button>
        </div>
        <nav id="main-nav" aria-label={t('nav.main')}>
          <ul>
            {pages.map((p) => (
              <li key={p.id}>
                <a href={`#/${p.id}`} aria-current={p.id === page.id ? 'page' : undefined} data-route={p.id}>
                  <span class="nav-icon" aria-hidden="true">{p.icon}</span>
                  {t(p.label)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="sidebar-foot">
          <span class="who" title={user.email}>
            {user.displayName || user.email}
            <small>
              {t(user.role === 'admin' ? 'shell.roleAdmin' : 'shell.roleUser')} · {user.plan}
            </small>
          </span>
          <div class="sidebar-controls">
            <LanguageSwitcher />
            <ThemeToggle />
          </div>
          <button type="button" class="btn" onClick={signOut}>
            {t('common.signOut')}
          </button>
        </div>
      </aside>
      <main id="main" class="main" tabIndex={-1}>
        <Current key={page.id} />
      </main>
    </div>
  );
}
