/** Small shared pieces: data loading, notices, the "not available" card, busy buttons, formatting. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import { formatDateTime, formatNumber, t, useLanguage } from '../i18n/index.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | Error | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

/** Run `load` now and whenever `deps` change; `reload()` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const alive = useRef(true);
  useEffect(() => () => void (alive.current = false), []);
  const reload = useCallback(async () => {
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await load();
      if (alive.current) setState({ data, loading: false });
    } catch (error) {
      if (alive.current) setState((s) => ({ data: s.data, error: error as Error, loading: false }));
    }
  }, deps);
  useEffect(() => void reload(), [reload]);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'error' | 'ok'; children: ComponentChildren }) {
  return (
    <p class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </p>
  );
}

export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error as ApiError;
  return <Notice kind="error">{e.message || t('ui.somethingWrong')}{e.code ? ` (${e.code})` : ''}</Notice>;
}

/** Shown where the server lacks an endpoint (a plugin not installed, disabled, or not built yet). */
export function NotAvailable({ what }: { what: string }) {
  useLanguage();
  return <div class="card muted not-available">{t('ui.notAvailable', { what })}</div>;
}

export function Page({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          {title}
        </h1>
        {actions && <div class="page-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** A button that shows it is busy while its async handler runs and reports the error beside it. */
export function ActionButton({ onClick, children, kind, label, disabled }: { onClick: () => Promise<unknown> | void; children: ComponentChildren; kind?: 'primary' | 'danger'; label?: string; disabled?: boolean }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  return (
    <span class="action">
      <button
        type="button"
        class={kind ? `btn btn-${kind}` : 'btn'}
        aria-label={label}
        aria-busy={busy}
        disabled={busy || disabled}
        onClick={async () => {
          setBusy(true);
          setError(undefined);
          try {
            await onClick();
          } catch (e) {
            setError(e as Error);
          } finally {
            setBusy(false);
          }
        }}
      >
        {children}
      </button>
      {error && (
        <span class="inline-error" role="alert">
          {error.message}
        </span>
      )}
    </span>
  );
}

export const formatDuration = (s: number) => {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? `${d} d ${h} h ${m} min` : h ? `${h} h ${m} min` : m ? `${m} min ${Math.floor(s % 60)} s` : `${Math.floor(s)} s`;
};

export const formatBytes = (n: number) =>
  n > 1 << 30 ? `${formatNumber(n / (1 << 30), { maximumFractionDigits: 1 })} GB` : n > 1 << 20 ? `${formatNumber(n / (1 << 20), { maximumFractionDigits: 1 })} MB` : `${formatNumber(Math.round(n / 1024))} KB`;

/** A date and time in the panel's language. */
export const formatTime = (ms: number) => formatDateTime(ms);

/** A read-only value with a Copy button (API keys, URLs to paste elsewhere). */
export function CopyField({ label, value, id }: { label: string; value: string; id: string }) {
  const [copied, setCopied] = useState(false);
  useLanguage();
  return (
    <div class="copy-field">
      <label for={id}>{label}</label>
      <div class="row">
        <input id={id} class="grow mono" readOnly value={value} onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
        <button
          type="button"
          class="btn"
          aria-label={`${t('common.copy')}: ${label}`}
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(value);
              setCopied(true);
              setTimeout(() => setCopied(false), 2000);
            } catch {
              setCopied(false);
            }
          }}
        >
          {copied ? t('common.copied') : t('common.copy')}
        </button>
      </div>
    </div>
  );
}

/** A destructive button that asks in place ("Really?") before it acts. */
export function ConfirmButton({ onConfirm, children, question, label }: { onConfirm: () => Promise<unknown>; children: ComponentChildren; question: string; label?: string }) {
  const [asking, setAsking] = useState(false);
  const group = useRef<HTMLSpanElement>(null);
  useLanguage();
  // The question replaces the button: keyboard focus moves onto its first answer instead of getting lost. A layout
  // effect (as in app.tsx): a plain effect runs a frame later, and a key pressed in that gap went to the page body.
  useLayoutEffect(() => void (asking && group.current?.querySelector('button')?.focus()), [asking]);
  if (!asking)
    return (
      <button type="button" class="btn btn-danger" aria-label={label} onClick={() => setAsking(true)}>
        {children}
      </button>
    );
  return (
    <span class="row confirm" role="group" aria-label={question} ref={group}>
      <span>{question}</span>
      <ActionButton kind="danger" onClick={async () => { await onConfirm(); setAsking(false); }}>
        {t('ui.yes')}
      </ActionButton>
      <button type="button" class="btn btn-small" onClick={() => setAsking(false)}>
        {t('common.cancel')}
      </button>
    </span>
  );
}
