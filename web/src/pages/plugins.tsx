/**
 * Plugins: status, version, what each registered, load time, error; search by name, description or tool, filter by
 * status; enable / disable / reload with live status. A plugin whose new version failed to load says so — and, when
 * an earlier version had loaded, that it keeps serving (the host swaps a generation in only after it set up).
 */
import { useEffect, useState } from 'preact/hooks';
import { api, refreshRoutes } from '../api.ts';
import { formatDateTime, formatNumber, t, useLanguage } from '../i18n/index.ts';
import { ErrorNotice, Page, useLoad } from '../ui/common.tsx';

interface PluginView {
  name: string;
  version: string;
  description?: string;
  enabled: boolean;
  status: 'loaded' | 'disabled' | 'error' | 'loading';
  error?: string;
  errorLocation?: { file: string; line: number; column: number; lineText: string };
  required?: boolean;
  tools: Array<{ name: string; description?: string }>;
  providers: string[];
  channels: string[];
  routes: string[] | number;
  loadMs?: number;
  loadedAt?: number | null;
}

const STATUSES = ['all', 'loaded', 'error', 'disabled'] as const;
type StatusFilter = (typeof STATUSES)[number];

const list = (xs: string[] | number | undefined) => (Array.isArray(xs) ? (xs.length ? xs.join(', ') : '—') : String(xs ?? '—'));

/** The failure card: what went wrong, where, and whether the previous version is still answering. */
function ErrorCard({ p }: { p: PluginView }) {
  // loadedAt is the time the serving generation loaded; a plugin that never loaded has none.
  const serving = typeof p.loadedAt === 'number';
  return (
    <div class="notice notice-error plugin-error-card" role="alert">
      <strong>{t('plugins.failed')}</strong>
      <p class="small">{serving ? t('plugins.previousServes', { when: formatDateTime(p.loadedAt!) }) : t('plugins.notServing')}</p>
      <pre class="plugin-error">{p.error}</pre>
      {p.errorLocation && (
        <p class="small mono">
          {p.errorLocation.file}:{p.errorLocation.line}:{p.errorLocation.column}
        </p>
      )}
      <p class="small">{t('plugins.fixHint')}</p>
    </div>
  );
}

export function PluginsPage() {
  useLanguage();
  const plugins = useLoad(() => api<{ plugins: PluginView[]; total_loaded: number; loaded_plugins: number }>('GET', '/api/plugins'));
  const [busy, setBusy] = useState<Record<string, string>>({});
  const [error, setError] = useState<Error>();
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState<StatusFilter>('all');
  const working = Object.keys(busy).length > 0;

  // Poll while an action runs, so a slow reload shows its live status.
  useEffect(() => {
    if (!working) return;
    const timer = setInterval(() => void plugins.reload(), 700);
    return () => clearInterval(timer);
  }, [working]);

  async function act(name: string, action: 'enable' | 'disable' | 'reload') {
    setBusy((b) => ({ ...b, [name]: action }));
    setError(undefined);
    try {
      await api('POST', `/api/plugins/${action}`, name ? { name } : {});
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(({ [name]: _, ...rest }) => rest);
      refreshRoutes();
      await plugins.reload();
    }
  }

  const all = plugins.data?.plugins ?? [];
  const q = query.trim().toLowerCase();
  const shown = all.filter(
    (p) =>
      (status === 'all' || p.status === status) &&
      (!q || p.name.toLowerCase().includes(q) || (p.description ?? '').toLowerCase().includes(q) || p.tools.some((x) => x.name.toLowerCase().includes(q))),
  );
  const counts = Object.fromEntries(STATUSES.map((s) => [s, s === 'all' ? all.length : all.filter((p) => p.status === s).length])) as Record<StatusFilter, number>;

  return (
    <Page
      title={t('plugins.title')}
      actions={
        <button type="button" class="btn" disabled={working} onClick={() => act('', 'reload')}>
          {t('plugins.reloadAll')}
        </button>
      }
    >
      <ErrorNotice error={error ?? plugins.error} />
      <form class="row wrap filters" role="search" aria-label={t('plugins.filters')} onSubmit={(e) => e.preventDefault()}>
        <label class="grow">
          {t('common.search')}
          <input type="search" value={query} placeholder={t('plugins.searchPlaceholder')} onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <label>
          {t('plugins.status')}
          <select value={status} onChange={(e) => setStatus((e.currentTarget as HTMLSelectElement).value as StatusFilter)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`plugins.filter.${s}`)} ({counts[s]})
              </option>
            ))}
          </select>
        </label>
      </form>
      {plugins.data && (
        <p class="muted" role="status" data-testid="plugin-count">
          {t('plugins.summary', { shown: shown.length, loaded: plugins.data.loaded_plugins, tools: plugins.data.total_loaded })}
        </p>
      )}
      <div class="grid">
        {shown.map((p) => {
          const action = busy[p.name] ?? (busy[''] ? 'reload' : undefined);
          const state = action ? (action === 'reload' ? 'reloading' : action === 'enable' ? 'enabling' : 'disabling') : p.status;
          return (
            <article class="card plugin" key={p.name} data-plugin={p.name} aria-labelledby={`plugin-${p.name}`}>
              <header class="plugin-head">
                <h2 id={`plugin-${p.name}`}>{p.name}</h2>
                <span class="muted">v{p.version}</span>
                <span class={`badge badge-${p.status}`} data-status={state} aria-live="polite">
                  {t(`plugins.state.${state}`)}
                </span>
              </header>
              {p.description && <p>{p.description}</p>}
              {p.status === 'error' && p.error && <ErrorCard p={p} />}
              <dl class="facts">
                <dt>{t('plugins.tools')}</dt>
                <dd>{list(p.tools.map((x) => x.name))}</dd>
                <dt>{t('plugins.providers')}</dt>
                <dd>{list(p.providers)}</dd>
                <dt>{t('plugins.channels')}</dt>
                <dd>{list(p.channels)}</dd>
                <dt>{t('plugins.routes')}</dt>
                <dd>{formatNumber(Array.isArray(p.routes) ? p.routes.length : p.routes)}</dd>
                <dt>{t('plugins.loadTime')}</dt>
                <dd>{p.loadMs !== undefined ? `${formatNumber(Math.round(p.loadMs))} ms` : '—'}</dd>
              </dl>
              <div class="row">
                {p.enabled ? (
                  <button type="button" class="btn" disabled={!!action || p.required} title={p.required ? t('plugins.required') : undefined} onClick={() => act(p.name, 'disable')} aria-label={t('plugins.disableOf', { name: p.name })}>
                    {t('plugins.disable')}
                  </button>
                ) : (
                  <button type="button" class="btn btn-primary" disabled={!!action} onClick={() => act(p.name, 'enable')} aria-label={t('plugins.enableOf', { name: p.name })}>
                    {t('plugins.enable')}
                  </button>
                )}
                <button type="button" class="btn" disabled={!!action || !p.enabled} onClick={() => act(p.name, 'reload')} aria-label={t('plugins.reloadOf', { name: p.name })}>
                  {t('plugins.reload')}
                </button>
              </div>
            </article>
          );
        })}
      </div>
      {plugins.data && !shown.length && <p class="muted">{t('plugins.noMatch')}</p>}
    </Page>
  );
}
