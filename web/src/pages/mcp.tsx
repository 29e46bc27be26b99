/**
 * MCP servers (admin, `/api/mcp/servers`): each server's status, tools and last error, restart and remove; add servers
 * by pasting the `mcpServers` JSON other MCP clients use (`{ "mcpServers": { "name": { "command", "args", "env" } } }`
 * or `{ "url", "headers" }`), each entry posted on its own so one bad entry names itself.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, hasRoute } from '../api.ts';
import { formatRelative, t, useLanguage } from '../i18n/index.ts';
import { ActionButton, ConfirmButton, ErrorNotice, NotAvailable, Notice, Page, useLoad } from '../ui/common.tsx';

interface McpServer {
  name: string;
  transport: 'stdio' | 'http' | 'invalid';
  command?: string;
  url?: string;
  envKeys?: string[];
  headerKeys?: string[];
  trusted: boolean;
  status: 'connecting' | 'connected' | 'failed' | 'restarting' | 'disabled';
  toolCount: number;
  tools: string[];
  lastError: string | null;
  restarts: number;
  connectedAt: number | null;
}

const EXAMPLE = `{
  "mcpServers": {
    "files": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/srv/shared"] },
    "search": { "url": "https://mcp.example.org/mcp", "headers": { "Authorization": "Bearer …" } }
  }
}`;

/** The entries of pasted JSON: `{ mcpServers: {…} }` or the inner object itself. */
export function parseServers(text: string): Array<[string, Record<string, unknown>]> {
  const doc = JSON.parse(text);
  const servers = doc && typeof doc === 'object' && 'mcpServers' in doc ? doc.mcpServers : doc;
  if (!servers || typeof servers !== 'object' || Array.isArray(servers)) throw new Error(t('mcp.shapeError'));
  const entries = Object.entries(servers as Record<string, Record<string, unknown>>);
  if (!entries.length) throw new Error(t('mcp.shapeError'));
  return entries;
}

const badgeClass = (s: McpServer['status']) => (s === 'connected' ? 'badge-ok' : s === 'failed' ? 'badge-failed' : s === 'disabled' ? 'badge-disabled' : 'badge-waiting');

function ServerCard({ s, onChanged }: { s: McpServer; onChanged: () => Promise<void> }) {
  return (
    <article class="card" data-mcp={s.name} aria-labelledby={`mcp-${s.name}`}>
      <header class="plugin-head">
        <h2 id={`mcp-${s.name}`}>{s.name}</h2>
        <span class="muted small">{s.transport === 'http' ? 'HTTP' : s.transport}</span>
        <span class={`badge ${badgeClass(s.status)}`} data-status={s.status} aria-live="polite">
          {t(`mcp.status.${s.status}`)}
        </span>
        {s.trusted && <span class="badge">{t('mcp.trusted')}</span>}
      </header>
      <dl class="facts">
        <dt>{s.transport === 'http' ? t('mcp.url') : t('mcp.command')}</dt>
        <dd>
          <code>{s.url ?? s.command ?? '—'}</code>
        </dd>
        {!!(s.envKeys?.length || s.headerKeys?.length) && (
          <>
            <dt>{s.envKeys ? t('mcp.env') : t('mcp.headers')}</dt>
            <dd>{(s.envKeys ?? s.headerKeys ?? []).join(', ')}</dd>
          </>
        )}
        <dt>{t('mcp.tools')}</dt>
        <dd>{s.tools.length ? s.tools.map((x) => x.replace(`mcp__${s.name}__`, '')).join(', ') : '—'}</dd>
        <dt>{t('mcp.restarts')}</dt>
        <dd>{s.restarts}</dd>
        {s.connectedAt && (
          <>
            <dt>{t('mcp.connectedSince')}</dt>
            <dd>{formatRelative(s.connectedAt)}</dd>
          </>
        )}
      </dl>
      {s.lastError && (
        <pre class="notice notice-error plugin-error">
          {t('mcp.lastError')}: {s.lastError}
        </pre>
      )}
      <div class="row wrap">
        {s.transport !== 'invalid' && (
          <ActionButton label={t('mcp.restartOf', { name: s.name })} onClick={async () => { await api('POST', `/api/mcp/servers/${encodeURIComponent(s.name)}/restart`); await onChanged(); }}>
            {t('mcp.restart')}
          </ActionButton>
        )}
        <ConfirmButton label={t('mcp.removeOf', { name: s.name })} question={t('mcp.removeQuestion')} onConfirm={async () => { await api('DELETE', `/api/mcp/servers/${encodeURIComponent(s.name)}`); await onChanged(); }}>
          {t('mcp.remove')}
        </ConfirmButton>
      </div>
    </article>
  );
}

function AddServers({ onAdded }: { onAdded: () => Promise<void> }) {
  const [text, setText] = useState('');
  const [result, setResult] = useState<string>();
  const [error, setError] = useState<Error>();
  return (
    <section class="card" aria-labelledby="mcp-add-h">
      <h2 id="mcp-add-h">{t('mcp.add')}</h2>
      <p class="muted small">{t('mcp.addHelp')}</p>
      <label for="mcp-json">{t('mcp.json')}</label>
      <textarea id="mcp-json" class="mono" rows={8} spellcheck={false} value={text} placeholder={EXAMPLE} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
      {error && (
        <Notice kind="error">
          {error.message}
          {error instanceof ApiError && Array.isArray(error.details) ? ` — ${(error.details as Array<{ field: string; message: string }>).map((d) => `${d.field}: ${d.message}`).join('; ')}` : ''}
        </Notice>
      )}
      {result && <Notice kind="ok">{result}</Notice>}
      <div class="row wrap">
        <ActionButton
          kind="primary"
          disabled={!text.trim()}
          onClick={async () => {
            setError(undefined);
            setResult(undefined);
            let entries: Array<[string, Record<string, unknown>]>;
            try {
              entries = parseServers(text);
            } catch (e) {
              setError(e instanceof SyntaxError ? new Error(t('mcp.jsonError', { message: e.message })) : (e as Error));
              return;
            }
            const added: string[] = [];
            try {
              for (const [name, entry] of entries) {
                await api('POST', '/api/mcp/servers', { name, ...entry });
                added.push(name);
              }
              setText('');
            } catch (e) {
              const err = e as ApiError;
              setError(new ApiError(err.status, err.code, `${entries[added.length][0]}: ${err.message}`, err.details));
            } finally {
              if (added.length) setResult(t('mcp.added', { names: added.join(', ') }));
              await onAdded();
            }
          }}
        >
          {t('mcp.addButton')}
        </ActionButton>
        <button type="button" class="btn" onClick={() => setText(EXAMPLE)}>
          {t('mcp.useExample')}
        </button>
      </div>
    </section>
  );
}

export function McpPage() {
  useLanguage();
  const avail = useLoad(() => hasRoute('GET', '/api/mcp/servers'));
  const list = useLoad(async () => (avail.data ? api<{ configFile: string; configError?: string; servers: McpServer[] }>('GET', '/api/mcp/servers') : undefined), [avail.data]);
  const busy = list.data?.servers.some((s) => s.status === 'connecting' || s.status === 'restarting');
  // While a server is coming up, look again every second so its status moves on the page.
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(() => void list.reload(), 1000);
    return () => clearInterval(timer);
  }, [busy]);
  if (avail.data === false) return <Page title={t('mcp.title')}><NotAvailable what={t('mcp.title')} /></Page>;
  const servers = list.data?.servers ?? [];
  return (
    <Page title={t('mcp.title')} actions={<button type="button" class="btn" onClick={() => void list.reload()}>{t('ui.refresh')}</button>}>
      <p class="muted">{t('mcp.intro')}</p>
      <ErrorNotice error={list.error} />
      {list.data?.configError && <Notice kind="error">{t('mcp.configError', { error: list.data.configError })}</Notice>}
      {list.data && !servers.length && <p class="muted">{t('mcp.none')}</p>}
      <div class="grid">
        {servers.map((s) => (
          <ServerCard key={s.name} s={s} onChanged={list.reload} />
        ))}
      </div>
      <AddServers onAdded={list.reload} />
    </Page>
  );
}
