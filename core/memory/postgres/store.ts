/**
 * Memory on PostgreSQL (DATABASE_URL set). Entries and vectors live in tables (`020-memory.sql`); every acknowledged
 * write is committed first. Search runs the lowdb driver's own in-process machinery (`searchView`: full-text index,
 * int8 exact scan, fusion) over a per-user view loaded from the tables on first use and brought up to date before each
 * search by one primary-key read of the user's version, so a write committed on any instance is found at once on
 * every other, and both drivers give the same results for the same data.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import { inTransaction } from '../../db/pool.ts';
import { migrate } from '../../db/migrate.ts';
import { badRequest, conflict } from '../../errors.ts';
import type { EmbedderDefinition, MemoryEntry, MemoryInput, MemoryQuery, MemorySearchResult } from '../../plugin-api/types.ts';
import type { MemoryDriverOptions } from '../options.ts';
import { buildEntry, checkInput, copyEntry, embedOne, minSimilarityFor, unitLength } from '../entry.ts';
import { LocalEmbedder } from '../local-embedder.ts';
import { searchView } from '../search.ts';
import type { MemoryService, ReembedProgress } from '../service.ts';
import { VectorIndex } from '../vector-index.ts';
import { Pgvector } from './pgvector.ts';
import { PgReembedder } from './reembed.ts';
import { ENTRY_COLUMNS, rowEntry, type EntryRow } from './rows.ts';
import { catchUp, type SyncDeps } from './sync.ts';
import { PgUserView } from './user-view.ts';
import { bumpVersion, clearUser, deleteEntries, NothingChanged, putEntry, putVector } from './writes.ts';

export interface PgMemoryOptions extends MemoryDriverOptions {
  pool: pg.Pool;
  /** Run the SQL migrations in `load()` (default true). */
  migrate?: boolean;
}

/** How long `count()` (all users) may answer from its last query. */
const TOTAL_COUNT_TTL_MS = 2_000;

export class PgMemoryStore implements MemoryService {
  private readonly pool: pg.Pool;
  private readonly log: Logger;
  private embedder: EmbedderDefinition;
  private readonly views = new Map<string, PgUserView>();
  private readonly counts = new Map<string, number>();
  private total = 0;
  private totalAt = 0;
  private readonly reembedder: PgReembedder;
  private readonly pgvector: Pgvector;
  private readonly sync: SyncDeps;
  private closed = false;

  constructor(private readonly opts: PgMemoryOptions) {
    this.pool = opts.pool;
    this.log = opts.log;
    this.embedder = opts.embedder ?? new LocalEmbedder();
    this.sync = {
      pool: this.pool,
      embedderId: () => (this.embedder.isConfigured() ? this.embedder.id : null),
      dims: () => this.embedder.dims,
      newVectorIndex: () => this.newVectorIndex(),
    };
    this.pgvector = new Pgvector(this.pool, this.log);
    this.reembedder = new PgReembedder(this.pool, this.log, opts.reembedBatch ?? 64, this.pgvector);
  }

  async load(): Promise<void> {
    if (this.opts.migrate !== false) await migrate(this.pool);
    await this.pgvector.detect();
    const { rows } = await this.pool.query<{ user_id: string; n: number }>('SELECT user_id, count(*)::int AS n FROM memory_entries GROUP BY user_id');
    for (const r of rows) this.counts.set(r.user_id, r.n);
    this.total = rows.reduce((n, r) => n + r.n, 0);
    this.totalAt = Date.now();
    this.log.info({ users: rows.length, entries: this.total }, 'memory: on PostgreSQL');
    this.reembedder.start(this.embedder);
  }

  /** Views load on first use, so there is nothing to wait for at start. */
  async whenIndexed(): Promise<void> {
    await Promise.all([...this.views.values()].map((v) => v.text.whenReady()));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.reembedder.stop();
    await Promise.all([...this.views.values()].map((v) => v.run(() => v.vectors?.close())));
  }

  currentEmbedder(): EmbedderDefinition {
    return this.embedder;
  }

  setEmbedder(given: EmbedderDefinition): void {
    const embedder = unitLength(given);
    const same = embedder.id === this.embedder.id && embedder.dims === this.embedder.dims;
    this.embedder = embedder;
    if (same) return;
    // Each view reloads its vectors for the new embedder at its next check (`vectorsFor` no longer matches).
    this.reembedder.start(embedder);
  }

  reembedProgress(): ReembedProgress {
    return this.reembedder.progress(this.embedder.id);
  }

  whenReembedded(): Promise<void> {
    return this.reembedder.whenIdle();
  }

  async annReady(userId: string): Promise<boolean> {
    return (await this.views.get(userId)?.vectors?.annSettled()) ?? false;
  }

  // ───────────────────────────── MemoryApi ─────────────────────────────

  add(userId: string, input: MemoryInput): Promise<MemoryEntry> {
    return this.write(userId, input, false);
  }

  create(userId: string, input: MemoryInput): Promise<MemoryEntry> {
    return this.write(userId, input, true);
  }

  private async write(userId: string, input: MemoryInput, onlyIfAbsent: boolean): Promise<MemoryEntry> {
    this.assertOpen();
    const checked = checkInput(userId, input, randomUUID);
    const embedder = this.embedder;
    const vector = await embedOne(embedder, checked.content, (error) =>
      this.log.warn({ err: error, embedder: embedder.id }, 'memory: embedding failed; stored for full-text search only'),
    );
    const draft = buildEntry(userId, checked, input, vector ? embedder : null, Date.now());
    let seq = 0;
    let stored: MemoryEntry | null;
    try {
      stored = await inTransaction(this.pool, async (client) => {
        seq = await bumpVersion(client, userId);
        const entry = await putEntry(client, draft, seq, onlyIfAbsent);
        if (!entry) throw new NothingChanged();
        if (vector) {
          await putVector(client, userId, entry.id, embedder.id, vector);
          await this.pgvector.fill(client, userId, entry.id, embedder.id, vector);
        }
        return entry;
      });
    } catch (error) {
      if (error instanceof NothingChanged) throw conflict(`A memory with id "${checked.id}" already exists`, 'ALREADY_EXISTS');
      throw error;
    }
    await this.afterWrite(userId, seq, (view) => view.apply(stored!, vector));
    if (!vector && this.embedder.isConfigured()) this.reembedder.start(this.embedder);
    return copyEntry(stored);
  }

  async get(userId: string, id: string): Promise<MemoryEntry | undefined> {
    if (typeof userId !== 'string' || userId === '') throw badRequest('userId is required');
    const { rows } = await this.pool.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM memory_entries WHERE user_id = $1 AND id = $2`, [userId, id]);
    return rows[0] ? rowEntry(rows[0]) : undefined;
  }

  async search(userId: string, query: MemoryQuery = {}): Promise<MemorySearchResult> {
    const view = this.view(userId);
    await view.fresh();
    this.counts.set(userId, view.entries.size);
    const embedder = this.embedder;
    return searchView(view, query, {
      embedder,
      minSimilarity: minSimilarityFor(embedder, this.opts.minSimilarity),
      log: this.log,
      vectorSearch: this.pgvector.enabled ? (q, k, accept, minSim) => this.pgvector.search(userId, embedder.id, q, k, accept, minSim) : undefined,
    });
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const ids = await this.deleteWhere(userId, { id });
    return ids.length > 0;
  }

  async prune(userId: string): Promise<number> {
    return (await this.deleteWhere(userId, { expiredBy: Date.now() })).length;
  }

  async clear(userId: string): Promise<number> {
    this.assertOpen();
    if (typeof userId !== 'string' || userId === '') throw badRequest('userId is required');
    let seq = 0;
    const count = await inTransaction(this.pool, async (client) => {
      seq = await bumpVersion(client, userId);
      return clearUser(client, userId, seq);
    });
    await this.afterWrite(userId, seq, (view) => view.reset(this.newVectorIndex()));
    return count;
  }

  /**
   * Count for one user: the view's size after its last check (a search checks first), else the count read at start
   * or at the last write here. All users: a count query at most every 2 s, answered from the last one meanwhile.
   */
  count(userId?: string): number {
    if (userId !== undefined) {
      const view = this.views.get(userId);
      return view && view.version >= 0 ? view.entries.size : (this.counts.get(userId) ?? 0);
    }
    if (Date.now() - this.totalAt > TOTAL_COUNT_TTL_MS && !this.closed) {
      this.totalAt = Date.now();
      this.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM memory_entries').then(
        (r) => (this.total = r.rows[0]!.n),
        (error: unknown) => this.log.warn({ err: error }, 'memory: counting failed'),
      );
    }
    return this.total;
  }

  // ───────────────────────────── internals ─────────────────────────────

  private async deleteWhere(userId: string, where: { id: string } | { expiredBy: number }): Promise<string[]> {
    this.assertOpen();
    if (typeof userId !== 'string' || userId === '') throw badRequest('userId is required');
    let seq = 0;
    let ids: string[] = [];
    try {
      ids = await inTransaction(this.pool, async (client) => {
        seq = await bumpVersion(client, userId);
        const gone = await deleteEntries(client, userId, seq, where);
        if (gone.length === 0) throw new NothingChanged();
        return gone;
      });
    } catch (error) {
      if (error instanceof NothingChanged) return [];
      throw error;
    }
    await this.afterWrite(userId, seq, (view) => ids.forEach((id) => view.forget(id)));
    return ids;
  }

  /**
   * Bring a loaded view past our own committed write: apply it directly when the view is exactly one version behind,
   * else catch up from the tables (another instance wrote in between). Views not loaded yet load at first search.
   */
  private async afterWrite(userId: string, seq: number, apply: (view: PgUserView) => void): Promise<void> {
    const view = this.views.get(userId);
    if (!view) {
      this.counts.delete(userId);
      return;
    }
    await view.run(async () => {
      if (view.version >= seq) return;
      if (view.version === seq - 1 && view.vectorsFor === this.sync.embedderId()) {
        apply(view);
        view.version = seq;
      } else await catchUp(view, this.sync);
    });
  }

  private view(userId: string): PgUserView {
    if (typeof userId !== 'string' || userId === '') throw badRequest('userId is required');
    let view = this.views.get(userId);
    if (!view) {
      view = new PgUserView(userId, this.newVectorIndex(), (v) => catchUp(v, this.sync));
      this.views.set(userId, view);
    }
    return view;
  }

  private newVectorIndex(): VectorIndex | null {
    if (!this.embedder.isConfigured()) return null;
    return new VectorIndex(this.embedder.id, this.embedder.dims, { annThreshold: this.opts.annThreshold, ann: this.opts.ann, log: this.log });
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('memory store is closed');
  }
}
