/**
 * One turn of the transcript: the user's message (images, documents, Copy, Edit) or the assistant's reply (Markdown,
 * collapsible thoughts, tool cards, audio, the token line, Copy, Regenerate).
 */
import { useState } from 'preact/hooks';
import { formatNumber, t } from '../i18n/index.ts';
import { copyText } from './copy.ts';
import { Markdown } from './markdown-view.tsx';
import { ToolCard } from './tool-card.tsx';
import { turnText, type Part, type Turn } from './turns.ts';

export interface TurnActions {
  onApprove: (id: string, approved: boolean) => void;
  /** Edit this user message and send it again (absent while a turn runs). */
  onEdit?: (index: number, text: string) => void;
  /** Answer the message before this reply again (only on the last reply, absent while a turn runs). */
  onRegenerate?: () => void;
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      class="btn btn-small btn-quiet"
      aria-label={label}
      onClick={async () => {
        await copyText(text);
        setDone(true);
        setTimeout(() => setDone(false), 1500);
      }}
    >
      {done ? t('common.copied') : t('common.copy')}
    </button>
  );
}

function PartView({ part, onApprove, live }: { part: Part; onApprove: TurnActions['onApprove']; live: boolean }) {
  if (part.kind === 'thought')
    return (
      <details class="thought" open={live}>
        <summary>{t('chat.thoughts')}</summary>
        <div class="thought-text">{part.text}</div>
      </details>
    );
  if (part.kind === 'tool') return <ToolCard part={part} live={live} onApprove={onApprove} />;
  return <Markdown text={part.text} />;
}

function UserBody({ turn, index, onEdit }: { turn: Turn; index: number; onEdit?: TurnActions['onEdit'] }) {
  const [editing, setEditing] = useState(false);
  const text = turnText(turn);
  if (editing && onEdit)
    return (
      <form
        class="edit-form stack"
        onSubmit={(e) => {
          e.preventDefault();
          const value = String(new FormData(e.currentTarget as HTMLFormElement).get('text') ?? '');
          if (!value.trim()) return;
          setEditing(false);
          onEdit(index, value);
        }}
      >
        <label>
          {t('chat.editLabel')}
          <textarea name="text" rows={3} defaultValue={text} ref={(el) => el?.focus()} />
        </label>
        <div class="row">
          <button type="submit" class="btn btn-primary btn-small">
            {t('chat.saveAndSend')}
          </button>
          <button type="button" class="btn btn-small" onClick={() => setEditing(false)}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    );
  return (
    <>
      {!!turn.images?.length && (
        <div class="sent-images">
          {turn.images.map((src, i) => (
            <img key={i} src={src} alt={t('chat.sentImage', { n: i + 1 })} />
          ))}
        </div>
      )}
      {!!turn.documents?.length && (
        <ul class="chips" aria-label={t('chat.documents')}>
          {turn.documents.map((d) => (
            <li key={d} class="chip">
              <span aria-hidden="true">▤ </span>
              {d}
            </li>
          ))}
        </ul>
      )}
      {text && <div class="user-text">{text}</div>}
      <div class="turn-actions">
        <CopyButton text={text} label={t('chat.copyMessage')} />
        {onEdit && (
          <button type="button" class="btn btn-small btn-quiet" onClick={() => setEditing(true)}>
            {t('chat.edit')}
          </button>
        )}
      </div>
    </>
  );
}

function AssistantBody({ turn, actions }: { turn: Turn; actions: TurnActions }) {
  const live = !!turn.streaming;
  const text = turnText(turn);
  return (
    <>
      {turn.parts.map((p, i) => (
        <PartView key={i} part={p} onApprove={actions.onApprove} live={live} />
      ))}
      {live && !turn.parts.length && <span class="typing">{t('chat.thinking')}</span>}
      {turn.media?.map((m, i) =>
        m.type === 'audio' ? (
          <audio key={i} class="reply-audio" controls preload="none" src={m.url} aria-label={t('chat.audioReply')} />
        ) : (
          <img key={i} class="reply-image" src={m.url} alt={t('chat.replyImage')} />
        ),
      )}
      {turn.cancelled && <p class="muted stopped">{t('chat.stopped')}</p>}
      {turn.error && (
        <p class="notice notice-error" role="alert">
          {turn.error}
        </p>
      )}
      {!live && (
        <div class="turn-actions">
          {turn.usage && (
            <span class="muted usage" data-testid="turn-usage">
              {t('chat.tokens', { input: formatNumber(turn.usage.input), output: formatNumber(turn.usage.output) })}
            </span>
          )}
          {text && <CopyButton text={text} label={t('chat.copyReply')} />}
          {actions.onRegenerate && (
            <button type="button" class="btn btn-small btn-quiet" onClick={actions.onRegenerate}>
              {t('chat.regenerate')}
            </button>
          )}
        </div>
      )}
    </>
  );
}

export function TurnView({ turn, index, actions }: { turn: Turn; index: number; actions: TurnActions }) {
  const you = turn.role === 'user';
  return (
    <article
      class={`turn turn-${turn.role}`}
      data-role={turn.role}
      data-streaming={turn.streaming ? 'true' : undefined}
      aria-label={you ? t('chat.you') : t('chat.assistant')}
    >
      <div class="turn-who" aria-hidden="true">
        {you ? t('chat.you') : 'AION'}
      </div>
      <div class="turn-body">{you ? <UserBody turn={turn} index={index} onEdit={actions.onEdit} /> : <AssistantBody turn={turn} actions={actions} />}</div>
    </article>
  );
}
