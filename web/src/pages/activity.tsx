/**
 * Activity (`GET /api/activity`): the caller's recent tool calls, tool results and turns (done or failed), newest
 * first, filtered by kind (on the server, `?type=`), outcome and tool name; refreshed on demand or every 5 s.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, hasRoute } from '../api.ts';
import { formatDateTime, formatNumber, t, useLanguage } from '../i18n/index.ts';
import { ErrorNotice, NotAvailable, Page, useLoad } from '../ui/common.tsx';

interface ActivityEvent {
  type: 'tool_call' | 'tool_result' | 'turn_done' | 'turn_error';
  tool?: string;
  ok?: boolean;
  duration?: number;
  ts: string;
  channel?: string;
  code?: string;
  message?: string;
}

const KINDS = {
  all: '',
  tools: 'tool_call,tool_result',
  results: 'tool_result',
  turns: 'turn_done,turn_error',
  errors: 'turn_error',
} as const;
type Kind = keyof typeof KINDS;

export function ActivityPage() {
  useLanguage();
  const [kind, setKind] = useState<Kind>('all');
  const [outcome, setOutcome] = useState<'any' | 'ok' | 'failed'>('any');
  const [tool, setTool] = useState('');
  const [live, setLive] = useState(false);
  const avail = useLoad(() => hasRoute('GET', '/api/activity'));
  const events = useLoad(async () => {
    if (!avail.data) return undefined;
    const q = new URLSearchParams({ limit: '500' });
    if (KINDS[kind]) q.set('type', KINDS[kind]);
    return api<{ events: ActivityEvent[] }>('GET', `/api/activity?${q}`);
  }, [avail.data, kind]);
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => void events.reload(), 5000);
    return () => clearInterval(timer);
  }, [live, events.reload]);
  if (avail.data === false) return <Page title={t('activity.title')}><NotAvailable what={t('activity.title')} /></Page>;
  const rows = (events.data?.events ?? [])
    .filter((e) => outcome === 'any' || (e.ok === undefined ? false : outcome === 'ok' ? e.ok : !e.ok))
    .filter((e) => !tool || (e.tool ?? '').toLowerCase().includes(tool.toLowerCase()))
    .reverse();
  return (
    <Page title={t('activity.title')}>
      <p class="muted">{t('activity.intro')}</p>
      <form class="row wrap filters" role="search" aria-label={t('activity.filters')} onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('activity.kind')}
          <select value={kind} onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value as Kind)}>
            {(Object.keys(KINDS) as Kind[]).map((k) => (
              <option key={k} value={k}>{t(`activity.kind.${k}`)}</option>
            ))}
          </select>
        </label>
        <label>
          {t('activity.outcome')}
          <select value={outcome} onChange={(e) => setOutcome((e.currentTarget as HTMLSelectElement).value as 'any')}>
            <option value="any">{t('activity.outcome.any')}</option>
            <option value="ok">{t('activity.outcome.ok')}</option>
            <option value="failed">{t('activity.outcome.failed')}</option>
          </select>
        </label>
        <label class="grow">
          {t('activity.tool')}
          <input type="search" value={tool} placeholder="file_list" onInput={(e) => setTool((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <label class="check">
          <input type="checkbox" checked={live} onChange={(e) => setLive((e.currentTarget as HTMLInputElement).checked)} /> {t('activity.live')}
        </label>
        <button type="button" class="btn" onClick={() => void events.reload()}>
          {t('ui.refresh')}
        </button>
      </form>
      <ErrorNotice error={events.error} />
      <p class="muted small" role="status" data-testid="activity-count">{events.data ? t('activity.count', { count: rows.length }) : t('common.loading')}</p>
      {events.data && !rows.length && <p class="muted">{t('activity.none')}</p>}
      <ol class="plain-list activity">
        {rows.map((e, i) => (
          <li key={`${e.ts}-${i}`} class={`activity-row activity-${e.type}`} data-type={e.type}>
            <time dateTime={e.ts} class="muted small">{formatDateTime(Date.parse(e.ts), { dateStyle: 'short', timeStyle: 'medium' })}</time>
            <span class={`badge ${e.ok === false ? 'badge-failed' : e.ok ? 'badge-ok' : ''}`}>{t(`activity.type.${e.type}`)}</span>
            <span class="activity-what">
              {e.tool && <code>{e.tool}</code>}
              {e.duration !== undefined && <span class="muted small"> {t('activity.seconds', { s: formatNumber(e.duration, { maximumFractionDigits: 2 }) })}</span>}
              {e.channel && <span class="muted small">{e.tool ? " · " : ""}{t("activity.via", { channel: e.channel })}</span>}
              {e.code && <span class="activity-error"> {e.code}{e.message ? `: ${e.message}` : ''}</span>}
            </span>
          </li>
        ))}
      </ol>
    </Page>
  );
}
