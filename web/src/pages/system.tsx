/**
 * System: status and uptime, updates (check now), CPU / memory, and SVG charts of tool reliability and tokens per day.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, hasRoute } from '../api.ts';
import { ColumnChart, HBarChart } from '../ui/charts.tsx';
import { ActionButton, ErrorNotice, NotAvailable, Notice, Page, formatBytes, formatDuration, formatTime, useLoad } from '../ui/common.tsx';
import { useUser } from '../user.ts';

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
      <h2 id="status-h">Status</h2>
      <ErrorNotice error={s.error} />
      {d && (
        <dl class="facts">
          <dt>Version</dt>
          <dd>{d.version}</dd>
          <dt>Uptime</dt>
          <dd data-testid="uptime">{formatDuration(d.uptime)}</dd>
          <dt>Model</dt>
          <dd>
            {d.model} ({d.provider})
          </dd>
          <dt>Plugins</dt>
          <dd>
            {d.plugins.loaded} loaded, {d.plugins.error} failed, {d.plugins.disabled} disabled
          </dd>
          <dt>Channels</dt>
          <dd>{Object.entries(d.channels).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none'}</dd>
          {d.memory_entries !== undefined && (
            <>
              <dt>Your memories</dt>
              <dd>{d.memory_entries}</dd>
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
  if (avail.data === false) return <NotAvailable what="Update checks" />;
  const d = u.data;
  return (
    <section class="card" aria-labelledby="upd-h">
      <h2 id="upd-h">Updates</h2>
      <ErrorNotice error={u.error} />
      {d && (
        <p>
          {d.current_version} installed · {d.update_available ? <strong>{d.latest_version} available</strong> : d.latest_version ? 'up to date' : 'not checked yet'}
          {d.last_checked ? ` · checked ${formatTime(typeof d.last_checked === 'number' ? d.last_checked : Date.parse(d.last_checked))}` : ''}
          {d.release_url && d.update_available && (
            <>
              {' '}
              · <a href={d.release_url} target="_blank" rel="noopener noreferrer">release notes</a>
            </>
          )}
        </p>
      )}
      {d?.error && <Notice kind="error">{d.error}</Notice>}
      {msg && <Notice>{msg}</Notice>}
      <ActionButton
        onClick={async () => {
          const r = await api<{ message?: string }>('POST', '/api/update-trigger');
          setMsg(r.message ?? 'Checking…');
          setTimeout(() => void u.reload(), 2000);
        }}
      >
        Check now
      </ActionButton>
    </section>
  );
}

interface Metrics {
  cpu: { usage: number; cores: number; loadAvg?: number[] };
  memory: { total: number; used: number; usagePercent: number; processRss: number };
  uptime: number;
  platform: string;
}

function MetricsCard() {
  const avail = useLoad(() => hasRoute('GET', '/api/system/metrics'));
  const m = useLoad(async () => (avail.data ? api<Metrics>('GET', '/api/system/metrics') : undefined), [avail.data]);
  useEffect(() => {
    if (!avail.data) return;
    const t = setInterval(() => void m.reload(), 5000);
    return () => clearInterval(t);
  }, [avail.data]);
  if (avail.data === false) return <NotAvailable what="System metrics" />;
  const d = m.data;
  return (
    <section class="card" aria-labelledby="metrics-h">
      <h2 id="metrics-h">Machine</h2>
      <ErrorNotice error={m.error} />
      {d && (
        <>
          <HBarChart
            title="CPU and memory use"
            max={100}
            bars={[
              { label: `CPU (${d.cpu.cores} cores)`, value: d.cpu.usage, text: `${Math.round(d.cpu.usage)} %` },
              { label: 'Memory', value: d.memory.usagePercent, text: `${Math.round(d.memory.usagePercent)} %` },
            ]}
          />
          <p class="muted small">
            {formatBytes(d.memory.used)} of {formatBytes(d.memory.total)} used · server process {formatBytes(d.memory.processRss)} · {d.platform} · up {formatDuration(d.uptime)}
          </p>
        </>
      )}
    </section>
  );
}

function ToolReliability() {
  const avail = useLoad(() => hasRoute('GET', '/api/self-model/tool-reliability'));
  const r = useLoad(async () => (avail.data ? api<{ tools: Array<{ toolName: string; successRate: number; successCount: number; failureCount: number }> }>('GET', '/api/self-model/tool-reliability') : undefined), [avail.data]);
  if (avail.data === false) return <NotAvailable what="Tool reliability" />;
  const tools = r.data?.tools ?? [];
  return (
    <section class="card" aria-labelledby="rel-h">
      <h2 id="rel-h">Tool reliability</h2>
      <ErrorNotice error={r.error} />
      {tools.length ? (
        <HBarChart
          title="Success rate per tool"
          max={1}
          bars={tools.slice(0, 15).map((t) => ({ label: t.toolName, value: t.successRate > 1 ? t.successRate / 100 : t.successRate, text: `${Math.round((t.successRate > 1 ? t.successRate : t.successRate * 100))} % of ${t.successCount + t.failureCount}` }))}
        />
      ) : (
        r.data && <p class="muted">No tool calls recorded yet.</p>
      )}
    </section>
  );
}

function TokensPerDay() {
  const { user } = useUser();
  const byDay = user.usage?.tokensByDay ?? {};
  const days: Array<{ label: string; value: number }> = [];
  for (let i = 13; i >= 0; i--) {
    const d = new Date(Date.now() - i * 86_400_000).toISOString().slice(0, 10);
    days.push({ label: d.slice(5), value: byDay[d] ?? 0 });
  }
  return (
    <section class="card" aria-labelledby="tok-h">
      <h2 id="tok-h">Your tokens per day</h2>
      <ColumnChart title="Tokens per day, last 14 days" bars={days} />
    </section>
  );
}

export function SystemPage() {
  const { user, refresh } = useUser();
  useEffect(() => void refresh(), []);
  return (
    <Page title="System">
      <div class="grid">
        <StatusCard />
        {user.isAdmin && <Updates />}
        <MetricsCard />
        <ToolReliability />
        <TokensPerDay />
      </div>
    </Page>
  );
}
