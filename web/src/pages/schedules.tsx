/**
 * Schedules (`/api/schedules`, the caller's own): each task with its timing, next and last run and the last outcome;
 * enable / disable, run now (202: it runs in the background, the page looks again), delete; and a form to create one
 * at a fixed time (with days) or at an interval.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, hasRoute } from '../api.ts';
import { formatDateTime, t, useLanguage } from '../i18n/index.ts';
import { ActionButton, ConfirmButton, ErrorNotice, NotAvailable, Notice, Page, useLoad } from '../ui/common.tsx';

interface Schedule {
  id: string;
  name: string;
  task: string;
  mode: 'time' | 'interval';
  interval?: string;
  time?: string;
  days?: string;
  enabled: boolean;
  last_run: string | null;
  next_run: string | null;
  last_status?: 'running' | 'ok' | 'error' | 'interrupted' | null;
  last_result: string | null;
  last_error: string | null;
  runs: number;
}

const DAYS = ['daily', 'weekdays', 'weekend'] as const;

function ScheduleCard({ s, onChanged }: { s: Schedule; onChanged: () => Promise<void> }) {
  const when = s.mode === 'interval' ? t('schedules.every', { interval: s.interval ?? '' }) : t('schedules.at', { time: s.time ?? '', days: s.days ?? '' });
  const status = s.last_status ?? undefined;
  return (
    <article class={s.enabled ? 'card' : 'card is-disabled'} data-schedule={s.name} aria-labelledby={`sch-${s.id}`}>
      <header class="plugin-head">
        <h2 id={`sch-${s.id}`}>{s.name}</h2>
        <span class={`badge ${s.enabled ? 'badge-ok' : 'badge-disabled'}`}>{s.enabled ? t('schedules.on') : t('schedules.off')}</span>
        {status && (
          <span class={`badge badge-${status === 'error' ? 'failed' : status === 'running' ? 'running' : 'ok'}`} data-outcome={status}>
            {t(`schedules.status.${status}`)}
          </span>
        )}
      </header>
      <p class="schedule-task">{s.task}</p>
      <dl class="facts">
        <dt>{t('schedules.when')}</dt>
        <dd>{when}</dd>
        <dt>{t('schedules.next')}</dt>
        <dd>{s.enabled && s.next_run ? formatDateTime(Date.parse(s.next_run)) : '—'}</dd>
        <dt>{t('schedules.last')}</dt>
        <dd>{s.last_run ? `${formatDateTime(Date.parse(s.last_run))} · ${t('schedules.runs', { count: s.runs })}` : t('schedules.never')}</dd>
      </dl>
      {s.last_error && <pre class="notice notice-error plugin-error">{s.last_error}</pre>}
      {s.last_result && !s.last_error && (
        <details class="last-result">
          <summary>{t('schedules.lastResult')}</summary>
          <p>{s.last_result}</p>
        </details>
      )}
      <div class="row wrap">
        <ActionButton label={t(s.enabled ? 'schedules.disableOf' : 'schedules.enableOf', { name: s.name })} onClick={async () => { await api('PATCH', `/api/schedules/${s.id}`, { enabled: !s.enabled }); await onChanged(); }}>
          {s.enabled ? t('schedules.disable') : t('schedules.enable')}
        </ActionButton>
        <ActionButton kind="primary" label={t('schedules.runNowOf', { name: s.name })} onClick={async () => { await api('POST', `/api/schedules/${s.id}/run`); await onChanged(); }}>
          {t('schedules.runNow')}
        </ActionButton>
        <ConfirmButton label={t('schedules.deleteOf', { name: s.name })} question={t('schedules.deleteQuestion')} onConfirm={async () => { await api('DELETE', `/api/schedules/${s.id}`); await onChanged(); }}>
          {t('common.delete')}
        </ConfirmButton>
      </div>
    </article>
  );
}

function NewSchedule({ onCreated }: { onCreated: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [task, setTask] = useState('');
  const [mode, setMode] = useState<'time' | 'interval'>('time');
  const [time, setTime] = useState('08:00');
  const [days, setDays] = useState<string>('daily');
  const [interval, setInterval] = useState('1h');
  const [done, setDone] = useState<string>();
  return (
    <section class="card" aria-labelledby="sch-new-h">
      <h2 id="sch-new-h">{t('schedules.new')}</h2>
      <form class="stack" onSubmit={(e) => e.preventDefault()}>
        <div class="row wrap">
          <label class="grow">
            {t('schedules.name')}
            <input value={name} maxLength={200} placeholder={t('schedules.namePlaceholder')} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
          </label>
          <label>
            {t('schedules.mode')}
            <select value={mode} onChange={(e) => setMode((e.currentTarget as HTMLSelectElement).value as 'time' | 'interval')}>
              <option value="time">{t('schedules.mode.time')}</option>
              <option value="interval">{t('schedules.mode.interval')}</option>
            </select>
          </label>
          {mode === 'time' ? (
            <>
              <label>
                {t('schedules.time')}
                <input type="time" value={time} onInput={(e) => setTime((e.currentTarget as HTMLInputElement).value)} />
              </label>
              <label>
                {t('schedules.days')}
                <select value={days} onChange={(e) => setDays((e.currentTarget as HTMLSelectElement).value)}>
                  {DAYS.map((d) => (
                    <option key={d} value={d}>{t(`schedules.days.${d}`)}</option>
                  ))}
                </select>
              </label>
            </>
          ) : (
            <label>
              {t('schedules.interval')}
              <input value={interval} placeholder="30m, 2h, 1h30m" onInput={(e) => setInterval((e.currentTarget as HTMLInputElement).value)} />
            </label>
          )}
        </div>
        <label>
          {t('schedules.task')}
          <textarea rows={3} value={task} placeholder={t('schedules.taskPlaceholder')} onInput={(e) => setTask((e.currentTarget as HTMLTextAreaElement).value)} />
        </label>
        {done && <Notice kind="ok">{done}</Notice>}
        <div>
          <ActionButton
            kind="primary"
            disabled={!name.trim() || !task.trim()}
            onClick={async () => {
              const body = mode === 'time' ? { name, task, time, days } : { name, task, interval };
              await api('POST', '/api/schedules', body);
              setDone(t('schedules.created', { name: name.trim() }));
              setName('');
              setTask('');
              await onCreated();
            }}
          >
            {t('schedules.create')}
          </ActionButton>
        </div>
      </form>
    </section>
  );
}

export function SchedulesPage() {
  useLanguage();
  const avail = useLoad(() => hasRoute('GET', '/api/schedules'));
  const list = useLoad(async () => (avail.data ? api<{ tasks: Schedule[] }>('GET', '/api/schedules') : undefined), [avail.data]);
  const running = list.data?.tasks.some((s) => s.last_status === 'running');
  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(() => void list.reload(), 1000);
    return () => clearTimeout(timer);
  }, [running, list.data]);
  if (avail.data === false) return <Page title={t('schedules.title')}><NotAvailable what={t('schedules.title')} /></Page>;
  return (
    <Page title={t('schedules.title')} actions={<button type="button" class="btn" onClick={() => void list.reload()}>{t('ui.refresh')}</button>}>
      <p class="muted">{t('schedules.intro')}</p>
      <ErrorNotice error={list.error} />
      {list.data && !list.data.tasks.length && <p class="muted">{t('schedules.none')}</p>}
      <div class="grid">
        {list.data?.tasks.map((s) => (
          <ScheduleCard key={s.id} s={s} onChanged={list.reload} />
        ))}
      </div>
      <NewSchedule onCreated={list.reload} />
    </Page>
  );
}
