/** One tool call: a live "running" indicator, a progress bar when the tool reports progress, Approve / Deny when parked. */
import { formatNumber, t } from '../i18n/index.ts';
import type { ToolPart } from './turns.ts';

const json = (v: unknown) => {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v, null, 2);
  } catch {
    return String(v);
  }
};

/** Under a second in milliseconds, else seconds with two decimals, in the reader's number format. */
const duration = (s: number) => (s < 1 ? t('chat.milliseconds', { n: formatNumber(Math.round(s * 1000)) }) : t('chat.seconds', { n: formatNumber(s, { maximumFractionDigits: 2 }) }));

type State = 'ok' | 'failed' | 'waiting' | 'running' | 'stopped';

function stateOf(part: ToolPart, live: boolean): State {
  if (part.result !== undefined) return part.ok ? 'ok' : 'failed';
  if (part.approval?.state === 'pending') return 'waiting';
  return live ? 'running' : 'stopped';
}

const LABEL = { ok: 'chat.toolDone', failed: 'chat.toolFailed', waiting: 'chat.toolWaiting', running: 'chat.toolRunning', stopped: 'chat.toolStopped' } as const;

function Progress({ percent, label }: { percent: number; label?: string }) {
  const text = label ? `${label} — ${formatNumber(percent / 100, { style: 'percent' })}` : formatNumber(percent / 100, { style: 'percent' });
  return (
    <div class="tool-progress">
      <div class="progress-track" role="progressbar" aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100} aria-valuetext={text} aria-label={t('chat.progress')}>
        <div class="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <span class="muted small">{text}</span>
    </div>
  );
}

export function ToolCard({ part, live, onApprove }: { part: ToolPart; live: boolean; onApprove: (id: string, approved: boolean) => void }) {
  const state = stateOf(part, live);
  const approval = part.approval;
  return (
    <div class={`tool-card tool-${state}`} data-tool={part.name} data-state={state}>
      <div class="tool-head">
        {state === 'running' ? <span class="spinner" aria-hidden="true" /> : <span class="tool-icon" aria-hidden="true">⚙</span>}
        <strong>{part.name}</strong>
        <span class={`badge badge-${state}`} role={state === 'running' ? 'status' : undefined}>
          {t(LABEL[state])}
        </span>
        {part.duration !== undefined && <span class="muted small">{duration(part.duration)}</span>}
      </div>
      {part.progress && state === 'running' && <Progress percent={part.progress.percent} label={part.progress.label} />}
      <details>
        <summary>{t('chat.arguments')}</summary>
        <pre class="tool-json">{json(part.args)}</pre>
      </details>
      {approval && approval.state !== 'approved' && part.result === undefined && (
        <div class="approval" role="group" aria-label={t('chat.approvalFor', { name: part.name })}>
          <p>{approval.message || t('chat.allowTool', { name: part.name })}</p>
          <button type="button" class="btn btn-primary" disabled={approval.state !== 'pending'} onClick={() => onApprove(part.id, true)}>
            {t('chat.approve')}
          </button>
          <button type="button" class="btn btn-danger" disabled={approval.state !== 'pending'} onClick={() => onApprove(part.id, false)}>
            {t('chat.deny')}
          </button>
          {!/\bja\b/i.test(approval.message) && <span class="muted small">{t('chat.approveHint')}</span>}
        </div>
      )}
      {part.result !== undefined && (
        <details class="tool-result" open={!part.ok}>
          <summary>{t(part.ok ? 'chat.result' : 'chat.error')}</summary>
          <pre class="tool-json">{json(part.result)}</pre>
        </details>
      )}
    </div>
  );
}
