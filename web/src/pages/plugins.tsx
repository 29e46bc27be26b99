/** Plugins: status, version, what each registered, load time, error; enable / disable / reload with live status. */
import { useEffect, useState } from 'preact/hooks';
import { api, refreshRoutes } from '../api.ts';
import { ErrorNotice, Page, useLoad } from '../ui/common.tsx';

interface PluginView {
  name: string;
  version: string;
  description?: string;
  enabled: boolean;
  status: 'loaded' | 'disabled' | 'error' | 'loading';
  error?: string;
  required?: boolean;
  tools: Array<{ name: string; description?: string }>;
  providers: string[];
  channels: string[];
  routes: string[] | number;
  loadMs?: number;
}

const list = (xs: string[] | number | undefined) => (Array.isArray(xs) ? (xs.length ? xs.join(', ') : '—') : String(xs ?? '—'));

export function PluginsPage() {
  const plugins = useLoad(() => api<{ plugins: PluginView[]; total_loaded: number; loaded_plugins: number }>('GET', '/api/plugins'));
  const [busy, setBusy] = useState<Record<string, string>>({});
  const [error, setError] = useState<Error>();
  const working = Object.keys(busy).length > 0;

  // Poll while an action runs, so a slow reload shows its live status.
  useEffect(() => {
    if (!working) return;
    const t = setInterval(() => void plugins.reload(), 700);
    return () => clearInterval(t);
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

  return (
    <Page
      title="Plugins"
      actions={
        <button type="button" class="btn" disabled={working} onClick={() => act('', 'reload')}>
          Reload all
        </button>
      }
    >
      <ErrorNotice error={error ?? plugins.error} />
      {plugins.data && <p class="muted">{plugins.data.loaded_plugins} loaded, {plugins.data.total_loaded} tools</p>}
      <div class="grid">
        {plugins.data?.plugins.map((p) => {
          const action = busy[p.name] ?? (busy[''] ? 'reload' : undefined);
          const status = action ? (action === 'reload' ? 'reloading' : `${action === 'enable' ? 'enabling' : 'disabling'}`) : p.status;
          return (
            <article class="card plugin" key={p.name} data-plugin={p.name} aria-labelledby={`plugin-${p.name}`}>
              <header class="plugin-head">
                <h2 id={`plugin-${p.name}`}>{p.name}</h2>
                <span class="muted">v{p.version}</span>
                <span class={`badge badge-${p.status}`} data-status={status} aria-live="polite">
                  {status}
                </span>
              </header>
              {p.description && <p>{p.description}</p>}
              {p.error && (
                <pre class="notice notice-error plugin-error" role="alert">
                  {p.error}
                </pre>
              )}
              <dl class="facts">
                <dt>Tools</dt>
                <dd>{list(p.tools.map((t) => t.name))}</dd>
                <dt>Providers</dt>
                <dd>{list(p.providers)}</dd>
                <dt>Channels</dt>
                <dd>{list(p.channels)}</dd>
                <dt>Routes</dt>
                <dd>{Array.isArray(p.routes) ? p.routes.length : p.routes}</dd>
                <dt>Load time</dt>
                <dd>{p.loadMs !== undefined ? `${Math.round(p.loadMs)} ms` : '—'}</dd>
              </dl>
              <div class="row">
                {p.enabled ? (
                  <button type="button" class="btn" disabled={!!action || p.required} title={p.required ? 'Required plugin' : undefined} onClick={() => act(p.name, 'disable')} aria-label={`Disable ${p.name}`}>
                    Disable
                  </button>
                ) : (
                  <button type="button" class="btn btn-primary" disabled={!!action} onClick={() => act(p.name, 'enable')} aria-label={`Enable ${p.name}`}>
                    Enable
                  </button>
                )}
                <button type="button" class="btn" disabled={!!action || !p.enabled} onClick={() => act(p.name, 'reload')} aria-label={`Reload ${p.name}`}>
                  Reload
                </button>
              </div>
            </article>
          );
        })}
      </div>
    </Page>
  );
}
