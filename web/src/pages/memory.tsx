/**
 * Memory: ranked search (`GET /api/memory?search=`), filters by layer (`GET /api/memories?layer=`) and category,
 * delete one (`DELETE /api/memories/:id`) and clear all (`DELETE /api/memory`, confirmed in place).
 */
import { useState } from 'preact/hooks';
import { api, hasRoute } from '../api.ts';
import { ErrorNotice, NotAvailable, Page, formatTime, useLoad } from '../ui/common.tsx';

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

export function MemoryPage() {
  const [search, setSearch] = useState('');
  const [layer, setLayer] = useState('');
  const [category, setCategory] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<Error>();
  const routes = useLoad(async () => ({
    memory: await hasRoute('GET', '/api/memory'),
    memories: await hasRoute('GET', '/api/memories'),
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

  if (routes.data && !r?.memory && !r?.memories) return <Page title="Memory"><NotAvailable what="Memory" /></Page>;
  const entries = (results.data?.entries ?? []).filter((m) => !category || (m.category ?? '').toLowerCase().includes(category.toLowerCase()));

  return (
    <Page title="Memory">
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
          Search
          <input name="search" type="search" placeholder="What do you remember about…" defaultValue={search} />
        </label>
        <label>
          Layer
          <select value={layer} onChange={(e) => setLayer((e.currentTarget as HTMLSelectElement).value)} disabled={!r?.memories}>
            <option value="">All layers</option>
            {LAYERS.map((l) => (
              <option key={l} value={l}>
                {l.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          Category
          <input value={category} onInput={(e) => setCategory((e.currentTarget as HTMLInputElement).value)} placeholder="any" />
        </label>
        <button type="submit" class="btn btn-primary">
          Search
        </button>
      </form>
      <ErrorNotice error={error ?? results.error} />
      <div class="row between">
        <p class="muted" role="status" data-testid="memory-count">
          {results.loading ? 'Searching…' : `${entries.length} shown${results.data ? ` of ${results.data.total}` : ''}`}
        </p>
        {confirming ? (
          <span class="row" role="group" aria-label="Confirm clearing">
            <span>Delete all your memories?</span>
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
              Yes, delete all
            </button>
            <button type="button" class="btn" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <button type="button" class="btn btn-danger" disabled={!entries.length} onClick={() => setConfirming(true)}>
            Clear all
          </button>
        )}
      </div>
      <ol class="memories">
        {entries.map((m) => (
          <li key={m.id} class="card memory" data-memory={m.id}>
            <p class="memory-content">{m.content}</p>
            <p class="muted small">
              <span class="badge">{m.layer}</span> {m.category && <span class="badge">{m.category}</span>} salience {m.salience.toFixed(2)}
              {m.score !== undefined && ` · score ${m.score.toFixed(3)}`} · {formatTime(m.createdAt)}
            </p>
            {r?.del && (
              <button
                type="button"
                class="btn btn-small"
                aria-label={`Delete memory: ${m.content.slice(0, 40)}`}
                onClick={async () => {
                  try {
                    await api('DELETE', `/api/memories/${encodeURIComponent(m.id)}`);
                    await results.reload();
                  } catch (e) {
                    setError(e as Error);
                  }
                }}
              >
                Delete
              </button>
            )}
          </li>
        ))}
      </ol>
    </Page>
  );
}
