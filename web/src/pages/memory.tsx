/**
 * Memory: ranked search (`GET /api/memory?search=`), filters by layer (`GET /api/memories?layer=`) and category, add
 * one (`POST /api/memories`), edit one in place (`PATCH /api/memories/:id`), delete one (`DELETE /api/memories/:id`)
 * and clear all (`DELETE /api/memory`, confirmed in place).
 */
import { useState } from 'preact/hooks';
import { api, hasRoute } from '../api.ts';
import { formatNumber, t, useLanguage } from '../i18n/index.ts';
import { ActionButton, ErrorNotice, NotAvailable, Notice, Page, formatTime, useLoad } from '../ui/common.tsx';

interface Memory {
  id: string;
  content: string;
  layer: string;
  category: string;
  salience: number;
  tags?: string[];
  createdAt: number;
  score?: number;
}

const LAYERS = ['short_term', 'long_term', 'semantic', 'relational', 'procedural', 'working', 'episodic', 'meta', 'immediate', 'notes', 'self_model'];

/** The layer picker of the add form and of the filter (which also offers "all layers", the empty value). */
function LayerSelect({ value, onChange, disabled, anyLabel }: { value: string; onChange: (layer: string) => void; disabled?: boolean; anyLabel?: string }) {
  return (
    <label>
      {t('memory.layer')}
      <select value={value} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)} disabled={disabled}>
        {anyLabel !== undefined && <option value="">{anyLabel}</option>}
        {LAYERS.map((l) => (
          <option key={l} value={l}>{l.replace('_', ' ')}</option>
        ))}
      </select>
    </label>
  );
}

function AddMemory({ onAdded }: { onAdded: () => Promise<void> }) {
  const [content, setContent] = useState('');
  const [layer, setLayer] = useState('long_term');
  const [category, setCategory] = useState('');
  const [done, setDone] = useState(false);
  return (
    <details class="card add-memory">
      <summary>{t('memory.add')}</summary>
      <form class="stack" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('memory.content')}
          <textarea rows={3} value={content} maxLength={20_000} onInput={(e) => setContent((e.currentTarget as HTMLTextAreaElement).value)} placeholder={t('memory.contentPlaceholder')} />
        </label>
        <div class="row wrap">
          <LayerSelect value={layer} onChange={setLayer} />
          <label>
            {t('memory.category')}
            <input value={category} maxLength={100} onInput={(e) => setCategory((e.currentTarget as HTMLInputElement).value)} placeholder="profile" />
          </label>
          <ActionButton
            kind="primary"
            disabled={!content.trim()}
            onClick={async () => {
              await api('POST', '/api/memories', { content: content.trim(), layer, ...(category.trim() ? { category: category.trim() } : {}) });
              setContent('');
              setDone(true);
              await onAdded();
            }}
          >
            {t('memory.save')}
          </ActionButton>
        </div>
        {done && <Notice kind="ok">{t('memory.added')}</Notice>}
      </form>
    </details>
  );
}

function MemoryItem({ m, canEdit, canDelete, onChanged, onError }: { m: Memory; canEdit: boolean; canDelete: boolean; onChanged: () => Promise<void>; onError: (e: Error) => void }) {
  const [editing, setEditing] = useState(false);
  const [content, setContent] = useState(m.content);
  const [category, setCategory] = useState(m.category ?? '');
  const short = m.content.slice(0, 40);
  return (
    <li class="card memory" data-memory={m.id}>
      {editing ? (
        <form class="stack" onSubmit={(e) => e.preventDefault()}>
          <label>
            {t('memory.content')}
            <textarea rows={3} value={content} onInput={(e) => setContent((e.currentTarget as HTMLTextAreaElement).value)} />
          </label>
          <label>
            {t('memory.category')}
            <input value={category} onInput={(e) => setCategory((e.currentTarget as HTMLInputElement).value)} />
          </label>
          <div class="row">
            <ActionButton
              kind="primary"
              disabled={!content.trim()}
              onClick={async () => {
                await api('PATCH', `/api/memories/${encodeURIComponent(m.id)}`, { content: content.trim(), category: category.trim() });
                setEditing(false);
                await onChanged();
              }}
            >
              {t('common.save')}
            </ActionButton>
            <button type="button" class="btn" onClick={() => { setEditing(false); setContent(m.content); setCategory(m.category ?? ''); }}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      ) : (
        <p class="memory-content">{m.content}</p>
      )}
      <p class="muted small">
        <span class="badge">{m.layer}</span> {m.category && <span class="badge">{m.category}</span>} {t('memory.salience', { value: formatNumber(m.salience, { maximumFractionDigits: 2 }) })}
        {m.score !== undefined && ` · ${t('memory.score', { value: formatNumber(m.score, { maximumFractionDigits: 3 }) })}`} · {formatTime(m.createdAt)}
      </p>
      {!editing && (
        <div class="row">
          {canEdit && (
            <button type="button" class="btn btn-small" aria-label={t('memory.editOf', { text: short })} onClick={() => setEditing(true)}>
              {t('memory.edit')}
            </button>
          )}
          {canDelete && (
            <button
              type="button"
              class="btn btn-small"
              aria-label={t('memory.deleteOf', { text: short })}
              onClick={async () => {
                try {
                  await api('DELETE', `/api/memories/${encodeURIComponent(m.id)}`);
                  await onChanged();
                } catch (e) {
                  onError(e as Error);
                }
              }}
            >
              {t('common.delete')}
            </button>
          )}
        </div>
      )}
    </li>
  );
}

export function MemoryPage() {
  useLanguage();
  const [search, setSearch] = useState('');
  const [layer, setLayer] = useState('');
  const [category, setCategory] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<Error>();
  const routes = useLoad(async () => ({
    memory: await hasRoute('GET', '/api/memory'),
    memories: await hasRoute('GET', '/api/memories'),
    add: await hasRoute('POST', '/api/memories'),
    edit: await hasRoute('PATCH', '/api/memories/{id}'),
    del: await hasRoute('DELETE', '/api/memories/{id}'),
  }));
  const r = routes.data;
  const results = useLoad(async () => {
    if (!r) return undefined;
    const q = new URLSearchParams();
    if (search) q.set('search', search);
    if (layer && r.memories) {
      q.set('layer', layer);
      q.set('limit', '200');
      const res = await api<{ memories: Memory[] }>('GET', `/api/memories?${q}`);
      return { entries: res.memories, total: res.memories.length };
    }
    if (!r.memory) return undefined;
    q.set('limit', '100');
    return api<{ entries: Memory[]; total: number }>('GET', `/api/memory?${q}`);
  }, [r, search, layer]);

  if (routes.data && !r?.memory && !r?.memories) return <Page title={t('memory.title')}><NotAvailable what={t('memory.title')} /></Page>;
  const entries = (results.data?.entries ?? []).filter((m) => !category || (m.category ?? '').toLowerCase().includes(category.toLowerCase()));

  return (
    <Page title={t('memory.title')}>
      {r?.add && <AddMemory onAdded={results.reload} />}
      <form
        class="row wrap filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget as HTMLFormElement);
          setSearch(String(f.get('search') ?? '').trim());
        }}
      >
        <label class="grow">
          {t('common.search')}
          <input name="search" type="search" placeholder={t('memory.searchPlaceholder')} defaultValue={search} />
        </label>
        <LayerSelect value={layer} onChange={setLayer} disabled={!r?.memories} anyLabel={t('memory.allLayers')} />
        <label>
          {t('memory.category')}
          <input value={category} onInput={(e) => setCategory((e.currentTarget as HTMLInputElement).value)} placeholder={t('memory.any')} />
        </label>
        <button type="submit" class="btn btn-primary">
          {t('common.search')}
        </button>
      </form>
      <ErrorNotice error={error ?? results.error} />
      <div class="row between">
        <p class="muted" role="status" data-testid="memory-count">
          {results.loading ? t('memory.searching') : results.data ? t('memory.shownOf', { shown: entries.length, total: results.data.total }) : t('memory.shown', { shown: entries.length })}
        </p>
        {confirming ? (
          <span class="row" role="group" aria-label={t('memory.confirmClear')}>
            <span>{t('memory.clearQuestion')}</span>
            <button
              type="button"
              class="btn btn-danger"
              onClick={async () => {
                try {
                  await api('DELETE', '/api/memory');
                  setConfirming(false);
                  await results.reload();
                } catch (e) {
                  setError(e as Error);
                }
              }}
            >
              {t('memory.clearYes')}
            </button>
            <button type="button" class="btn" onClick={() => setConfirming(false)}>
              {t('common.cancel')}
            </button>
          </span>
        ) : (
          <button type="button" class="btn btn-danger" disabled={!entries.length} onClick={() => setConfirming(true)}>
            {t('memory.clear')}
          </button>
        )}
      </div>
      <ol class="memories">
        {entries.map((m) => (
          <MemoryItem key={m.id} m={m} canEdit={!!r?.edit} canDelete={!!r?.del} onChanged={results.reload} onError={setError} />
        ))}
      </ol>
    </Page>
  );
}
