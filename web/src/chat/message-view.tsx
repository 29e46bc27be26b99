/** One turn of the transcript: Markdown text, collapsible thoughts, tool cards with Approve / Deny. */
import { useMemo } from 'preact/hooks';
import { renderMarkdown } from '../markdown.ts';
import type { Part, ToolPart, Turn } from './turns.ts';

const json = (v: unknown) => {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v, null, 2);
  } catch {
    return String(v);
  }
};

function Markdown({ text }: { text: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  return <div class="md" dangerouslySetInnerHTML={{ __html: html }} />;
}

function ToolCard({ part, onApprove }: { part: ToolPart; onApprove: (id: string, approved: boolean) => void }) {
  const state = part.result !== undefined ? (part.ok ? 'ok' : 'failed') : part.approval?.state === 'pending' ? 'waiting' : 'running';
  return (
    <div class={`tool-card tool-${state}`} data-tool={part.name} data-state={state}>
      <div class="tool-head">
        <span class="tool-icon" aria-hidden="true">⚙</span>
        <strong>{part.name}</strong>
        <span class={`badge badge-${state}`}>{state === 'ok' ? 'done' : state}</span>
        {part.duration !== undefined && <span class="muted">{part.duration.toFixed(2)} s</span>}
      </div>
      <details>
        <summary>Arguments</summary>
        <pre class="tool-json">{json(part.args)}</pre>
      </details>
      {part.progress && (
        <div class="progress" role="progressbar" aria-valuenow={part.progress.percent} aria-valuemin={0} aria-valuemax={100} aria-label={part.progress.label || 'Progress'}>
          <progress max={100} value={part.progress.percent} /> {part.progress.label}
        </div>
      )}
      {part.approval && part.approval.state !== 'approved' && part.result === undefined && (
        <div class="approval" role="group" aria-label={`Approval for ${part.name}`}>
          <p>{part.approval.message || `Allow ${part.name} to run?`}</p>
          <button type="button" class="btn btn-primary" disabled={part.approval.state !== 'pending'} onClick={() => onApprove(part.id, true)}>
            Approve
          </button>
          <button type="button" class="btn btn-danger" disabled={part.approval.state !== 'pending'} onClick={() => onApprove(part.id, false)}>
            Deny
          </button>
        </div>
      )}
      {part.result !== undefined && (
        <div class="tool-result">
          <span class="muted">{part.ok ? 'Result' : 'Error'}</span>
          <pre class="tool-json">{json(part.result)}</pre>
        </div>
      )}
    </div>
  );
}

function PartView({ part, onApprove, streaming }: { part: Part; onApprove: (id: string, approved: boolean) => void; streaming: boolean }) {
  if (part.kind === 'thought')
    return (
      <details class="thought" open={streaming}>
        <summary>Thoughts</summary>
        <div class="thought-text">{part.text}</div>
      </details>
    );
  if (part.kind === 'tool') return <ToolCard part={part} onApprove={onApprove} />;
  return <Markdown text={part.text} />;
}

export function TurnView({ turn, onApprove }: { turn: Turn; onApprove: (id: string, approved: boolean) => void }) {
  return (
    <article class={`turn turn-${turn.role}`} data-role={turn.role} data-streaming={turn.streaming ? 'true' : undefined} aria-label={turn.role === 'user' ? 'You' : 'Assistant'}>
      <div class="turn-who" aria-hidden="true">
        {turn.role === 'user' ? 'You' : 'AION'}
      </div>
      <div class="turn-body">
        {turn.role === 'user' ? (
          <div class="user-text">{turn.parts.map((p) => (p.kind === 'text' ? p.text : '')).join('')}</div>
        ) : (
          turn.parts.map((p, i) => <PartView key={i} part={p} onApprove={onApprove} streaming={!!turn.streaming} />)
        )}
        {turn.streaming && !turn.parts.length && <span class="typing">Thinking…</span>}
        {turn.cancelled && <p class="muted stopped">Stopped.</p>}
        {turn.error && (
          <p class="notice notice-error" role="alert">
            {turn.error}
          </p>
        )}
        {turn.usage && (
          <p class="muted usage">
            {turn.usage.input} tokens in · {turn.usage.output} out
          </p>
        )}
      </div>
    </article>
  );
}
