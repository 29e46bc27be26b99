/**
 * System: status and uptime, updates (check now), the machine as time series (CPU, memory, event-loop lag from
 * `GET /api/system/metrics?history=1`, refreshed every 5 s), tool reliability and the caller's tokens per day.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, hasRoute } from '../api.ts';
import { formatDateTime, formatNumber, t, useLanguage } from '../i18n/index.ts';
import { ColumnChart, HBarChart, LineChart } from '../ui/charts.tsx';
import { ActionButton, ErrorNotice, NotAvailable, Notice, Page, formatBytes, formatDuration, formatTime, useLoad } from '../ui/common.tsx';
import { useUser } from '../user.ts';
import type { Sample } from '../../../plugins/alin-system/sample.ts';

interface Status {
  version: string;
  model: string;
  provider: string;
  uptime: number;
  memory_entries?: number;
  conversation_len?: number;
  plugins: { loaded: number; error: number; disabled: number };
  channels: Record<string, string>;
}

function StatusCard() {
  const s = useLoad(() => api<Status>('GET', '/api/status'));
  const d = s.data;
  return (
    <section class="card" aria-labelledby="status-h">
      <h2 id="status-h">{t('system.status')}</h2>
      <ErrorNotice error={s.error} />
      {d && (
        <dl class="facts">
          <dt>{t('system.version')}</dt>
          <dd>{d.version}</dd>
          <dt>{t('system.uptime')}</dt>
          <dd data-testid="uptime">{formatDuration(d.uptime)}</dd>
          <dt>{t('system.model')}</dt>
          <dd>
            {d.model} ({d.provider})
          </dd>
          <dt>{t('system.plugins')}</dt>
          <dd>{t('system.pluginCounts', { loaded: d.plugins.loaded, error: d.plugins.error, disabled: d.plugins.disabled })}</dd>
          <dt>{t('system.channels')}</dt>
          <dd>{Object.entries(d.channels).map(([k, v]) => `${k}: ${v}`).join(', ') || t('system.none')}</dd>
          {d.memory_entries !== undefined && (
            <>
              <dt>{t('system.memories')}</dt>
              <dd>{formatNumber(d.memory_entries)}</dd>
            </>
          )}
        </dl>
      )}
    </section>
  );
}

interface UpdateStatus {
  current_version: string;
  latest_version: string | null;
  update_available: boolean;
  release_url?: string;
  last_checked?: number | string | null;
  error?: string | null;
}

function Updates() {
  const avail = useLoad(() => hasRoute('GET', '/api/update-status'));
  const u = useLoad(async () => (avail.data ? api<UpdateStatus>('GET', '/api/update-status') : undefined), [avail.data]);
  const [msg, setMsg] = useState<string>();
  if (avail.data === false) return <NotAvailable what={t('system.updates')} />;
  const d = u.data;
  return (
    <section class="card" aria-labelledby="upd-h">
      <h2 id="upd-h">{t('system.updates')}</h2>
      <ErrorNotice error={u.error} />
      {d && (
        <p>
          {t('system.installed', { version: d.current_version })} · {d.update_available ? <strong>{t('system.available', { version: d.latest_version ?? '' })}</strong> : d.latest_version ? t('system.upToDate') : t('system.notChecked')}
          {d.last_checked ? ` · ${t('system.checked', { when: formatTime(typeof d.last_checked === 'number' ? d.last_checked : Date.parse(d.last_checked)) })}` : ''}
          {d.release_url && d.update_available && (
            <>
              {' '}
              · <a href={d.release_url} target="_blank" rel="noopener noreferrer">{t('system.releaseNotes')}</a>
            </>
          )}
        </p>
      )}
      {d?.error && <Notice kind="error">{d.error}</Notice>}
      {msg && <Notice>{msg}</Notice>}
      <ActionButton
        onClick={async () => {
          const r = await api<{ message?: string }>('POST', '/api/update-trigger');
          setMsg(r.message ?? t('system.checking'));
          setTimeout(() => void u.reload(), 2000);
        }}
      >
        {t('system.checkNow')}
      </ActionButton>
    </section>
  );
}

interface Metrics {
  cpu: { usage: number; cores: number; loadAvg?: number[] };
  memory: { total: number; used: number; usagePercent: number; processRss: number };
  uptime: number;
  platform: string;
  history?: Sample[];
}

function MachineCharts() {
  const avail = useLoad(() => hasRoute('GET', '/api/system/metrics'));
  const m = useLoad(async () => (avail.data ? api<Metrics>('GET', '/api/system/metrics?history=1') : undefined), [avail.data]);
  useEffect(() => {
    if (!avail.data) return;
    const timer = setInterval(() => void m.reload(), 5000);
    return () => clearInterval(timer);
  }, [avail.data]);
  if (avail.data === false) return <NotAvailable what={t('system.machine')} />;
  const d = m.data;
  const h = d?.history ?? [];
  return (
    <>
      <section class="card wide" aria-labelledby="cpu-h">
        <h2 id="cpu-h">{t('system.cpuMemory')}</h2>
        <ErrorNotice error={m.error} />
        {d && (
          <>
            <LineChart
              title={t('system.cpuMemoryChart', { cpu: formatNumber(d.cpu.usage, { maximumFractionDigits: 0 }), memory: formatNumber(d.memory.usagePercent, { maximumFractionDigits: 0 }) })}
              yMax={100}
              unit=" %"
              series={[
                { label: t('system.cpuCores', { cores: d.cpu.cores }), class: 'line-1', points: h.map((x) => [x.ts, x.cpu]) },
                { label: t('system.memory'), class: 'line-2', points: h.map((x) => [x.ts, x.memory]) },
              ]}
            />
            <p class="muted small">
              {t('system.memoryUse', { used: formatBytes(d.memory.used), total: formatBytes(d.memory.total), rss: formatBytes(d.memory.processRss) })} · {d.platform} · {t('system.up', { time: formatDuration(d.uptime) })}
            </p>
          </>
        )}
      </section>
      <section class="card wide" aria-labelledby="lag-h">
        <h2 id="lag-h">{t('system.lag')}</h2>
        <p class="muted small">{t('system.lagHelp')}</p>
        {d && (
          <LineChart
            title={t('system.lagChart')}
            unit=" ms"
            series={[
              { label: t('system.lagMean'), class: 'line-1', points: h.map((x) => [x.ts, x.lagMeanMs]) },
              { label: t('system.lagMax'), class: 'line-3', points: h.map((x) => [x.ts, x.lagMaxMs]) },
            ]}
          />
        )}
      </section>
    </>
  );
}

function ToolReliability() {
  const avail = useLoad(() => hasRoute('GET', '/api/self-model/tool-reliability'));
  const r = useLoad(async () => (avail.data ? api<{ tools: Array<{ toolName: string; successRate: number; successCount: number; failureCount: number }> }>('GET', '/api/self-model/tool-reliability') : undefined), [avail.data]);
  if (avail.data === false) return <NotAvailable what={t('system.reliability')} />;
  const tools = r.data?.tools ?? [];
  return (
    <section class="card" aria-labelledby="rel-h">
      <h2 id="rel-h">{t('system.reliability')}</h2>
      <ErrorNotice error={r.error} />
      {tools.length ? (
        <HBarChart
          title={t('system.reliabilityChart')}
          max={1}
          bars={tools.slice(0, 15).map((x) => {
            const rate = x.successRate > 1 ? x.successRate / 100 : x.successRate;
            return { label: x.toolName, value: rate, text: t('system.rateOf', { rate: formatNumber(rate, { style: 'percent' }), count: x.successCount + x.failureCount }) };
          })}
        />
      ) : (
        r.data && <p class="muted">{t('system.noToolCalls')}</p>
      )}
    </section>
  );
}

function TokensPerDay() {
  const { user } = useUser();
  const byDay = user.usage?.tokensByDay ?? {};
  const days: Array<{ label: string; value: number }> = [];
  for (let i = 13; i >= 0; i--) {
    const ms = Date.now() - i * 86_400_000;
    const d = new Date(ms).toISOString().slice(0, 10);
    days.push({ label: formatDateTime(ms, { day: 'numeric', month: 'numeric' }), value: byDay[d] ?? 0 });
  }
  const total = days.reduce((n, d) => n + d.value, 0);
  return (
    <section class="card" aria-labelledby="tok-h">
      <h2 id="tok-h">{t('system.tokens')}</h2>
      <ColumnChart title={t('system.tokensChart', { total })} bars={days} />
    </section>
  );
}

export function SystemPage() {
  useLanguage();
  const { user, refresh } = useUser();
  useEffect(() => void refresh(), []);
  return (
    <Page title={t('system.title')}>
      <div class="grid">
        <StatusCard />
        {user.isAdmin && <Updates />}
        <MachineCharts />
        <ToolReliability />
        <TokensPerDay />
      </div>
    </Page>
  );
}
