/**
 * The conversation list: search (title and message text, `GET /api/conversations?search=`), pinned conversations
 * first, and per conversation Pin, Rename and Delete (`PATCH` / `DELETE /api/conversations/:id`).
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { formatRelative, t } from '../i18n/index.ts';
import { ErrorNotice, useLoad } from '../ui/common.tsx';

export interface ConversationSummary {
  id: string;
  title: string;
  preview?: string;
  updatedAt: number;
  messageCount: number;
  isPinned?: boolean;
}

/** Pinned first, then newest; the server already sorts by `updatedAt`. */
export function ordered(list: ConversationSummary[]): ConversationSummary[] {
  return [...list.filter((c) => c.isPinned), ...list.filter((c) => !c.isPinned)];
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value]);
  return v;
}

function RenameForm({ c, onDone }: { c: ConversationSummary; onDone: (title?: string) => void }) {
  return (
    <form
      class="rename"
      onSubmit={(e) => {
        e.preventDefault();
        const title = String(new FormData(e.currentTarget as HTMLFormElement).get('title') ?? '').trim();
        onDone(title || undefined);
      }}
    >
      <label class="sr-only" for={`rename-${c.id}`}>
        {t('chat.renameLabel')}
      </label>
      <input id={`rename-${c.id}`} name="title" defaultValue={c.title} maxLength={200} ref={(el) => el?.select()} onKeyDown={(e) => e.key === 'Escape' && onDone()} />
      <button type="submit" class="btn btn-small btn-primary">
        {t('common.save')}
      </button>
    </form>
  );
}

function Item({ c, active, onOpen, onChanged, onDeleted }: { c: ConversationSummary; active: boolean; onOpen: (id: string) => void; onChanged: () => void; onDeleted: (id: string) => void }) {
  const [renaming, setRenaming] = useState(false);
  const [error, setError] = useState<Error>();
  const title = c.title || t('chat.untitled');
  const patch = async (body: Record<string, unknown>) => {
    setError(undefined);
    try {
      await api('PATCH', `/api/conversations/${encodeURIComponent(c.id)}`, body);
      onChanged();
    } catch (e) {
      setError(e as Error);
    }
  };
  async function remove() {
    if (!confirm(t('chat.confirmDelete', { title }))) return;
    try {
      await api('DELETE', `/api/conversations/${encodeURIComponent(c.id)}`);
      onDeleted(c.id);
    } catch (e) {
      setError(e as Error);
    }
  }
  return (
    <li class={active ? 'conv-item active' : 'conv-item'} data-conversation={c.id}>
      {renaming ? (
        <RenameForm c={c} onDone={(next) => (setRenaming(false), next && next !== c.title && void patch({ title: next }))} />
      ) : (
        <button type="button" class="conv" aria-current={active ? 'true' : undefined} onClick={() => onOpen(c.id)}>
          <span class="conv-title">
            {c.isPinned && <span aria-label={t('chat.pinned')} role="img">⚑ </span>}
            {title}
          </span>
          <small class="muted">{formatRelative(c.updatedAt)}</small>
        </button>
      )}
      <div class="conv-actions">
        <button type="button" class="btn btn-small btn-quiet" aria-pressed={!!c.isPinned} aria-label={t(c.isPinned ? 'chat.unpinNamed' : 'chat.pinNamed', { title })} onClick={() => patch({ isPinned: !c.isPinned })}>
          {t(c.isPinned ? 'chat.unpin' : 'chat.pin')}
        </button>
        <button type="button" class="btn btn-small btn-quiet" aria-label={t('chat.renameNamed', { title })} onClick={() => setRenaming(true)}>
          {t('chat.rename')}
        </button>
        <button type="button" class="btn btn-small btn-quiet btn-quiet-danger" aria-label={t('chat.deleteNamed', { title })} onClick={remove}>
          {t('common.delete')}
        </button>
      </div>
      <ErrorNotice error={error} />
    </li>
  );
}

export function ConversationList({ activeId, version, open, onOpen, onNew, onDeleted }: {
  activeId?: string;
  /** Bumped by the page after each turn, to reload titles and order. */
  version: number;
  open: boolean;
  onOpen: (id: string) => void;
  onNew: () => void;
  onDeleted: (id: string) => void;
}) {
  const [query, setQuery] = useState('');
  const term = useDebounced(query.trim(), 250);
  const list = useLoad(
    async () => (await api<{ conversations: ConversationSummary[] }>('GET', `/api/conversations?limit=100${term ? `&search=${encodeURIComponent(term)}` : ''}`)).conversations,
    [term, version],
  );
  // Without the conversations plugin (disabled by an admin) there is no list, only a fresh chat.
  const missing = list.error instanceof ApiError && list.error.status === 404;
  return (
    <aside id="conversation-list" class={open ? 'conversations open' : 'conversations'} aria-label={t('chat.conversations')}>
      <button type="button" class="btn btn-primary" onClick={onNew}>
        {t('chat.newChat')}
      </button>
      {missing ? (
        <p class="muted small">{t('chat.noList')}</p>
      ) : (
        <>
          <div role="search">
            <label for="conversation-search" class="sr-only">
              {t('chat.searchLabel')}
            </label>
            <input id="conversation-search" type="search" placeholder={t('chat.searchPlaceholder')} value={query} onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)} />
          </div>
          <ErrorNotice error={list.error} />
          <ul>
            {ordered(list.data ?? []).map((c) => (
              <Item key={c.id} c={c} active={c.id === activeId} onOpen={onOpen} onChanged={() => void list.reload()} onDeleted={(id) => (onDeleted(id), void list.reload())} />
            ))}
            {list.data && !list.data.length && <li class="muted">{t(term ? 'chat.noMatches' : 'chat.noConversations')}</li>}
          </ul>
        </>
      )}
    </aside>
  );
}
