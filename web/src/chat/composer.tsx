/**
 * The message box: Enter sends, Shift+Enter is a new line; files by the Attach button, by pasting, or by dropping
 * them anywhere on the chat (the drop zone is the page, see `useFileDrop`). Stop replaces Send while a turn runs.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { attach, MAX_IMAGES, type Attachment } from './attachments.ts';

export interface Outgoing {
  text: string;
  images: string[];
  documents: Array<{ name: string; text: string }>;
}

export interface ComposerApi {
  addFiles: (files: Iterable<File>) => void;
}

export function Composer({ running, onSend, onStop, apiRef }: { running: boolean; onSend: (m: Outgoing) => void; onStop: () => void; apiRef?: { current: ComposerApi | null } }) {
  const [items, setItems] = useState<Attachment[]>([]);
  const [note, setNote] = useState('');
  const input = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);

  function addFiles(files: Iterable<File>) {
    const update = (a: Attachment) => setItems((list) => list.map((x) => (x.key === a.key ? a : x)));
    const added = [...files].map((f) => attach(f, update, t('chat.imageTooLarge')));
    if (added.length) setItems((list) => [...list, ...added]);
    setNote('');
  }
  useEffect(() => {
    if (apiRef) apiRef.current = { addFiles };
  });

  const reading = items.some((a) => a.state === 'reading');
  const images = items.filter((a) => a.kind === 'image' && a.state === 'ready');

  function submit(e: Event) {
    e.preventDefault();
    const ta = input.current!;
    const text = ta.value;
    if (running || reading) return;
    if (images.length > MAX_IMAGES) return setNote(t('chat.tooManyImages', { n: MAX_IMAGES }));
    const documents = items.filter((a) => a.kind === 'document' && a.state === 'ready').map((a) => ({ name: a.name, text: a.text ?? '' }));
    if (!text.trim() && !images.length && !documents.length) return;
    ta.value = '';
    setItems([]);
    onSend({ text, images: images.map((a) => a.dataUrl!), documents });
  }

  function onKey(e: KeyboardEvent) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      (e.currentTarget as HTMLTextAreaElement).form?.requestSubmit();
    }
  }

  function onPaste(e: ClipboardEvent) {
    const files = [...(e.clipboardData?.files ?? [])];
    if (!files.length) return;
    e.preventDefault();
    addFiles(files);
  }

  return (
    <form class="composer" onSubmit={submit}>
      {!!items.length && (
        <ul class="chips attachments" aria-label={t('chat.attachments')}>
          {items.map((a) => (
            <li key={a.key} class={`chip chip-${a.state}`} data-state={a.state}>
              {a.kind === 'image' && a.dataUrl ? <img src={a.dataUrl} alt="" /> : <span aria-hidden="true">▤</span>}
              <span class="chip-name">{a.name}</span>
              {a.state === 'reading' && <span class="muted small">{t('chat.reading')}</span>}
              {a.state === 'failed' && (
                <span class="inline-error" role="alert">
                  {a.error}
                </span>
              )}
              <button type="button" class="btn btn-small btn-quiet" aria-label={t('chat.removeAttachment', { name: a.name })} onClick={() => setItems((l) => l.filter((x) => x.key !== a.key))}>
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
      {note && (
        <p class="inline-error" role="alert">
          {note}
        </p>
      )}
      <div class="composer-row">
        <input
          ref={picker}
          type="file"
          multiple
          class="sr-only"
          tabIndex={-1}
          aria-hidden="true"
          onChange={(e) => {
            const el = e.currentTarget as HTMLInputElement;
            addFiles(el.files ?? []);
            el.value = '';
          }}
        />
        <button type="button" class="btn attach" onClick={() => picker.current?.click()} aria-label={t('chat.attach')} title={t('chat.attachHint')}>
          <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
            <path d="M21.4 11.1l-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5" />
          </svg>
        </button>
        <label for="chat-input" class="sr-only">
          {t('chat.message')}
        </label>
        <textarea id="chat-input" ref={input} rows={2} placeholder={t('chat.placeholder')} onKeyDown={onKey} onPaste={onPaste} />
        {running ? (
          <button type="button" class="btn btn-danger" onClick={onStop}>
            {t('chat.stop')}
          </button>
        ) : (
          <button type="submit" class="btn btn-primary" disabled={reading}>
            {t('chat.send')}
          </button>
        )}
      </div>
    </form>
  );
}

/** Files dropped anywhere on `target` go to `onFiles`; `dragging` is true while files hover over it. */
export function useFileDrop(onFiles: (files: File[]) => void): { dragging: boolean; handlers: Record<string, (e: DragEvent) => void> } {
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);
  const hasFiles = (e: DragEvent) => [...(e.dataTransfer?.types ?? [])].includes('Files');
  return {
    dragging,
    handlers: {
      onDragEnter: (e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        depth.current++;
        setDragging(true);
      },
      onDragOver: (e) => {
        if (hasFiles(e)) e.preventDefault();
      },
      onDragLeave: () => {
        if (--depth.current <= 0) (depth.current = 0), setDragging(false);
      },
      onDrop: (e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        depth.current = 0;
        setDragging(false);
        onFiles([...(e.dataTransfer?.files ?? [])]);
      },
    },
  };
}
