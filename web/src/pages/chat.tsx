/**
 * Chat: conversation list, the streaming transcript (tokens, thoughts, tool cards, approvals), Stop, model picker and
 * the plan's messages left this hour.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, hasRoute } from '../api.ts';
import { streamChat } from '../chat-stream.ts';
import { ModelPicker, type ModelChoice } from '../chat/model-picker.tsx';
import { TurnView } from '../chat/message-view.tsx';
import { applyFrame, fromStored, newKey, type StoredMessage, type Turn } from '../chat/turns.ts';
import { ErrorNotice, useLoad } from '../ui/common.tsx';
import { useUser } from '../user.ts';

interface ConversationSummary {
  id: string;
  title: string;
  preview?: string;
  updatedAt: number;
  messageCount: number;
}

function UsageLine() {
  const { user } = useUser();
  const u = user.usage;
  if (!u) return null;
  return (
    <p class="usage-line muted" data-testid="usage">
      {u.messagesRemaining === null ? 'Unlimited messages' : `${u.messagesRemaining} of ${u.messagesLimit} messages left this hour`} · {u.tokensToday} tokens today
    </p>
  );
}

export function ChatPage() {
  const { refresh } = useUser();
  const [conversationId, setConversationId] = useState<string>();
  const [turns, setTurns] = useState<Turn[]>([]);
  const [running, setRunning] = useState<AbortController>();
  const [error, setError] = useState<Error>();
  const [choice, setChoice] = useState<ModelChoice>();
  const [announce, setAnnounce] = useState('');
  const [listOpen, setListOpen] = useState(false);
  const list = useLoad(async () => ((await hasRoute('GET', '/api/conversations')) ? (await api<{ conversations: ConversationSummary[] }>('GET', '/api/conversations?limit=50')).conversations : null));
  const logRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [turns]);

  async function open(id: string) {
    setError(undefined);
    setListOpen(false);
    try {
      const r = await api<{ messages: StoredMessage[] }>('GET', `/api/conversations/${encodeURIComponent(id)}`);
      setConversationId(id);
      setTurns(fromStored(r.messages));
    } catch (e) {
      setError(e as Error);
    }
  }

  async function newChat() {
    setError(undefined);
    try {
      const r = await api<{ conversationId: string }>('POST', '/api/reset');
      setConversationId(r.conversationId);
      setTurns([]);
      setListOpen(false);
      inputRef.current?.focus();
    } catch (e) {
      setError(e as Error);
    }
  }

  const updateLast = (fn: (t: Turn) => Turn) => setTurns((ts) => (ts.length ? [...ts.slice(0, -1), fn(ts[ts.length - 1])] : ts));

  async function send(message: string) {
    if (!message.trim() || running) return;
    setError(undefined);
    const ctrl = new AbortController();
    setRunning(ctrl);
    setAnnounce('AION is responding…');
    setTurns((ts) => [...ts, { key: newKey(), role: 'user', parts: [{ kind: 'text', text: message }] }, { key: newKey(), role: 'assistant', parts: [], streaming: true }]);
    try {
      await streamChat({ message, conversationId, ...(choice ?? {}) }, ctrl.signal, (f) => updateLast((t) => applyFrame(t, f)));
      if (ctrl.signal.aborted) updateLast((t) => ({ ...t, streaming: false, cancelled: true }));
      setAnnounce(ctrl.signal.aborted ? 'Stopped.' : 'Response complete.');
    } catch (e) {
      // Nothing streamed (quota, validation): drop the empty assistant turn and say why.
      setTurns((ts) => ts.slice(0, -1));
      const err = e as ApiError;
      setError(err.status === 429 ? new Error(`${err.message} — the plan's hourly message limit is reached.`) : err);
      setAnnounce('');
    } finally {
      updateLast((t) => (t.streaming ? { ...t, streaming: false } : t));
      setRunning(undefined);
      void refresh();
      void list.reload();
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

  /** The turn parked at the approval (`done.approval_pending`); the answer is the next message, as in the original AION. */
  async function approve(id: string, approved: boolean) {
    updateLast((t) => ({ ...t, parts: t.parts.map((p) => (p.kind === 'tool' && p.id === id && p.approval ? { ...p, approval: { ...p.approval, state: approved ? 'approved' : 'denied' } } : p)) }));
    await send(approved ? 'ja' : 'nein');
  }

  function onKey(e: KeyboardEvent) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      (e.currentTarget as HTMLTextAreaElement).form?.requestSubmit();
    }
  }

  return (
    <section class="chat" aria-labelledby="page-title">
      {list.data && (
        <aside class={listOpen ? 'conversations open' : 'conversations'} aria-label="Conversations">
          <button type="button" class="btn btn-primary" onClick={newChat}>
            New chat
          </button>
          <ul>
            {list.data.map((c) => (
              <li key={c.id}>
                <button type="button" class="conv" aria-current={c.id === conversationId ? 'true' : undefined} onClick={() => open(c.id)}>
                  <span class="conv-title">{c.title || 'Untitled'}</span>
                  <small class="muted">{c.preview?.slice(0, 60)}</small>
                </button>
              </li>
            ))}
            {!list.data.length && <li class="muted">No conversations yet.</li>}
          </ul>
        </aside>
      )}
      <div class="chat-main">
        <header class="chat-head">
          <h1 id="page-title" tabIndex={-1}>
            Chat
          </h1>
          {list.data && (
            <button type="button" class="btn conv-toggle" aria-expanded={listOpen} onClick={() => setListOpen(!listOpen)}>
              Conversations
            </button>
          )}
          {!list.data && !list.loading && (
            <button type="button" class="btn" onClick={newChat}>
              New chat
            </button>
          )}
          <ModelPicker value={choice} onChange={setChoice} />
        </header>
        <UsageLine />
        <div class="transcript" ref={logRef} role="log" aria-label="Conversation" aria-live="polite" aria-busy={running ? 'true' : 'false'}>
          {!turns.length && <p class="muted empty">Ask AION anything. Enter sends, Shift+Enter starts a new line.</p>}
          {turns.map((t) => (
            <TurnView key={t.key} turn={t} onApprove={approve} />
          ))}
        </div>
        <p class="sr-only" aria-live="polite" role="status">
          {announce}
        </p>
        <ErrorNotice error={error} />
        <form
          class="composer"
          onSubmit={(e) => {
            e.preventDefault();
            const ta = inputRef.current!;
            const text = ta.value;
            if (!text.trim()) return;
            ta.value = '';
            void send(text);
          }}
        >
          <label for="chat-input" class="sr-only">
            Message
          </label>
          <textarea id="chat-input" ref={inputRef} rows={3} placeholder="Message AION…" onKeyDown={onKey} />
          {running ? (
            <button type="button" class="btn btn-danger" onClick={stop}>
              Stop
            </button>
          ) : (
            <button type="submit" class="btn btn-primary">
              Send
            </button>
          )}
        </form>
      </div>
    </section>
  );
}
