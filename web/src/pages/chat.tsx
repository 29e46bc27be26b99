/**
 * Chat: the conversation list, the streaming transcript (tokens, thoughts, tool cards, approvals, audio), the composer
 * with attachments, edit-and-resend and regenerate, the model picker and the plan's messages left this hour. The open
 * conversation is in the address (`#/chat/<id>`), so a reload or a shared link reopens it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { streamChat, type ChatRequest } from '../chat-stream.ts';
import { Composer, useFileDrop, type ComposerApi, type Outgoing } from '../chat/composer.tsx';
import { ConversationList } from '../chat/conversation-list.tsx';
import { TurnView } from '../chat/message-view.tsx';
import { ModelPicker, type ModelChoice } from '../chat/model-picker.tsx';
import { attachmentBlocks, rewindTo, userOrdinal } from '../chat/rewind.ts';
import { applyFrame, fromStored, newKey, pendingApproval, splitDocuments, withDocuments, withPendingApprovals, type PendingApprovalInfo, type StoredMessage, type Turn } from '../chat/turns.ts';
import { formatNumber, t } from '../i18n/index.ts';
import { navigate, replaceRoute, useRoute } from '../router.ts';
import { ErrorNotice } from '../ui/common.tsx';
import { useUser } from '../user.ts';

/** The words that answer a parked approval (as the server reads them, `core/agent/approvals.ts`). */
const YES = new Set(['ja', 'yes', 'ok', 'y']);
const NO = new Set(['nein', 'no', 'n']);
const word = (s: string) => s.trim().replace(/[.!]+$/, '').trim().toLowerCase();

function UsageLine() {
  const { user } = useUser();
  const u = user.usage;
  if (!u) return null;
  const messages = u.messagesRemaining === null ? t('chat.unlimited') : t('chat.messagesLeft', { left: u.messagesRemaining, limit: u.messagesLimit ?? 0 });
  return (
    <p class="usage-line muted" data-testid="usage">
      {messages} · {t('chat.tokensToday', { n: formatNumber(u.tokensToday) })}
    </p>
  );
}

export function ChatPage() {
  const { refresh } = useUser();
  const route = useRoute();
  const routeId = route.rest[0];
  const [conversationId, setConversationId] = useState<string>();
  const loaded = useRef<string | undefined>(undefined);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [running, setRunning] = useState<AbortController>();
  const [error, setError] = useState<Error>();
  const [choice, setChoice] = useState<ModelChoice>();
  const [announce, setAnnounce] = useState('');
  const [listOpen, setListOpen] = useState(false);
  const [version, setVersion] = useState(0);
  const logRef = useRef<HTMLDivElement>(null);
  const composer = useRef<ComposerApi | null>(null);
  const drop = useFileDrop((files) => composer.current?.addFiles(files));

  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [turns]);

  useEffect(() => {
    if (routeId === loaded.current) return;
    loaded.current = routeId;
    setConversationId(routeId);
    setError(undefined);
    setTurns([]);
    if (routeId) void load(routeId);
  }, [routeId]);

  async function load(id: string) {
    try {
      const [r, pending] = await Promise.all([
        api<{ messages: StoredMessage[] }>('GET', `/api/conversations/${encodeURIComponent(id)}`),
        // A parked call gets its buttons back; without the list (an older server) the transcript still opens.
        api<{ approvals: PendingApprovalInfo[] }>('GET', `/api/approvals?conversation=${encodeURIComponent(id)}`).then((a) => a.approvals, () => []),
      ]);
      if (loaded.current === id) setTurns(withPendingApprovals(fromStored(r.messages), pending));
    } catch (e) {
      setError(e as Error);
    }
  }

  function openConversation(id: string) {
    setListOpen(false);
    navigate('chat', id);
  }

  function newChat() {
    setListOpen(false);
    navigate('chat');
    (document.getElementById('chat-input') as HTMLTextAreaElement | null)?.focus();
  }

  /** The conversation to send into: the open one, else a new AION session (its id goes into the address). */
  async function ensureConversation(): Promise<string> {
    if (conversationId) return conversationId;
    const r = await api<{ conversationId: string }>('POST', '/api/reset');
    loaded.current = r.conversationId;
    setConversationId(r.conversationId);
    replaceRoute('chat', r.conversationId);
    return r.conversationId;
  }

  const updateLast = (fn: (t: Turn) => Turn) => setTurns((ts) => (ts.length ? [...ts.slice(0, -1), fn(ts[ts.length - 1]!)] : ts));

  /** Stream one request into the last turn (a new assistant turn, or the parked one an approval continues). */
  async function stream(body: Omit<ChatRequest, 'conversationId'>, fresh: Turn[] | 'continue') {
    if (running) return;
    setError(undefined);
    const ctrl = new AbortController();
    setRunning(ctrl);
    setAnnounce(t('chat.responding'));
    if (fresh === 'continue') updateLast((turn) => ({ ...turn, streaming: true, cancelled: false }));
    else setTurns((ts) => [...ts, ...fresh, { key: newKey(), role: 'assistant', parts: [], streaming: true }]);
    try {
      const id = await ensureConversation();
      await streamChat({ ...body, conversationId: id, ...(choice ?? {}) }, ctrl.signal, (f) => updateLast((turn) => applyFrame(turn, f)));
      if (ctrl.signal.aborted) updateLast((turn) => ({ ...turn, streaming: false, cancelled: true }));
      setAnnounce(t(ctrl.signal.aborted ? 'chat.stopped' : 'chat.complete'));
    } catch (e) {
      // Nothing streamed (quota, validation): drop the empty assistant turn and say why.
      if (fresh !== 'continue') setTurns((ts) => (ts.at(-1)?.parts.length ? ts : ts.slice(0, -1)));
      const err = e as ApiError;
      setError(err.status === 429 ? new Error(t('chat.limitReached', { message: err.message })) : err);
      setAnnounce('');
    } finally {
      updateLast((turn) => (turn.streaming ? { ...turn, streaming: false } : turn));
      setRunning(undefined);
      void refresh();
      setVersion((v) => v + 1);
    }
  }

  /** Mark the parked call answered and continue its turn with the answer word. */
  function answer(approved: boolean, text: string) {
    updateLast((turn) => ({
      ...turn,
      parts: turn.parts.map((p) => (p.kind === 'tool' && p.approval?.state === 'pending' ? { ...p, approval: { ...p.approval, state: approved ? 'approved' : 'denied' } } : p)),
    }));
    void stream({ message: text }, 'continue');
  }

  function send(m: Outgoing) {
    const parked = pendingApproval(turns);
    const plain = !m.images.length && !m.documents.length;
    if (parked && plain && (YES.has(word(m.text)) || NO.has(word(m.text)))) return answer(YES.has(word(m.text)), m.text);
    // Any other message refuses a parked call (the server does the same) and is a new turn.
    if (parked) updateLast((turn) => ({ ...turn, parts: turn.parts.map((p) => (p.kind === 'tool' && p.approval?.state === 'pending' ? { ...p, approval: { ...p.approval, state: 'denied' } } : p)) }));
    const message = withDocuments(m.text, m.documents);
    const user: Turn = { key: newKey(), role: 'user', parts: [{ kind: 'text', text: m.text }], images: m.images, documents: m.documents.map((d) => d.name) };
    const isNew = !conversationId;
    void stream({ message, ...(m.images.length ? { images: m.images } : {}) }, [user]).then(() => {
      // The server names a new conversation by its first message; with documents that text ends in file contents.
      if (isNew && m.documents.length && loaded.current) void titleFromTypedText(loaded.current, m);
    });
  }

  async function titleFromTypedText(id: string, m: Outgoing) {
    const title = (m.text.trim() || m.documents.map((d) => d.name).join(', ')).replace(/\s+/g, ' ').slice(0, 60);
    try {
      await api('PATCH', `/api/conversations/${encodeURIComponent(id)}`, { title });
      setVersion((v) => v + 1);
    } catch {
      /* the server's title stays; the user can rename it */
    }
  }

  /** Cut the conversation back to before user turn `index` and send `text` (or the message as it was) again. */
  async function resend(index: number, text?: string) {
    if (running || !conversationId) return;
    setError(undefined);
    try {
      const { sent, images } = await rewindTo(conversationId, userOrdinal(turns, index));
      const message = text === undefined ? sent : text + attachmentBlocks(sent);
      const shown = splitDocuments(message);
      const user: Turn = { key: newKey(), role: 'user', parts: [{ kind: 'text', text: shown.text }], images, documents: shown.documents };
      setTurns((ts) => ts.slice(0, index));
      await stream({ message, ...(images.length ? { images } : {}) }, [user]);
    } catch (e) {
      setError(e as Error);
    }
  }

  async function stop() {
    const ctrl = running;
    if (!ctrl) return;
    ctrl.abort();
    try {
      await api('POST', '/api/stop');
    } catch {
      /* the aborted request already ends the turn server-side */
    }
  }

  const lastUser = turns.map((x) => x.role).lastIndexOf('user');
  const lastIsReply = turns.at(-1)?.role === 'assistant';
  return (
    <section class={drop.dragging ? 'chat dragging' : 'chat'} aria-labelledby="page-title" {...drop.handlers}>
      <ConversationList
        activeId={conversationId}
        version={version}
        open={listOpen}
        onOpen={openConversation}
        onNew={newChat}
        onDeleted={(id) => id === conversationId && navigate('chat')}
      />
      <div class="chat-main">
        <header class="chat-head">
          <h1 id="page-title" tabIndex={-1}>
            {t('nav.chat')}
          </h1>
          <button type="button" class="btn conv-toggle" aria-expanded={listOpen} aria-controls="conversation-list" onClick={() => setListOpen(!listOpen)}>
            {t('chat.conversations')}
          </button>
          <ModelPicker value={choice} onChange={setChoice} />
        </header>
        <UsageLine />
        <div class="transcript" ref={logRef} role="log" aria-label={t('chat.transcript')} aria-live="polite" aria-busy={running ? 'true' : 'false'} tabIndex={0}>
          {!turns.length && <p class="muted empty">{t('chat.empty')}</p>}
          {turns.map((turn, i) => (
            <TurnView
              key={turn.key}
              turn={turn}
              index={i}
              actions={{
                onApprove: (_id, approved) => answer(approved, approved ? 'ja' : 'nein'),
                onEdit: running || !conversationId ? undefined : (index, text) => void resend(index, text),
                onRegenerate: !running && conversationId && lastIsReply && i === turns.length - 1 && lastUser >= 0 ? () => void resend(lastUser) : undefined,
              }}
            />
          ))}
        </div>
        {drop.dragging && (
          <div class="drop-hint" aria-hidden="true">
            {t('chat.dropHere')}
          </div>
        )}
        <p class="sr-only" aria-live="polite" role="status">
          {announce}
        </p>
        <ErrorNotice error={error} />
        <Composer running={!!running} onSend={send} onStop={stop} apiRef={composer} />
      </div>
    </section>
  );
}
