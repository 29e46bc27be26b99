/**
 * Background re-embedding on PostgreSQL, run by one instance at a time: the job holds a session advisory lock, so
 * instances that switch embedders together do the work once. An instance that does not get the lock tries again
 * every few seconds while it still wants the work done (and takes over when the holder dies, as its lock goes with
 * its connection). Entries are taken in key order, embedded outside any transaction, and written back only if they
 * did not change meanwhile (their seq), with the user's version bumped so every instance picks the vectors up.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { inTransaction } from '../../db/pool.ts';
import type { EmbedderDefinition } from '../../plugin-api/types.ts';
import type { ReembedProgress } from '../service.ts';
import { settleLatest } from '../settle.ts';
import type { Pgvector } from './pgvector.ts';
import { bytesVector } from './rows.ts';
import { bumpVersion, putVector } from './writes.ts';

/** Any fixed key, the same on every instance (migrations use 7_000_001). */
const REEMBED_LOCK = 7_000_020;
const RETRY_MS = 5_000;

interface Candidate {
  user_id: string;
  id: string;
  seq: string;
  content: string;
}

export class PgReembedder {
  private generation = 0;
  private job: Promise<void> = Promise.resolve();
  private retry: NodeJS.Timeout | null = null;
  private state: ReembedProgress = { embedder: '', done: 0, total: 0, running: false };
  private stopped = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    private readonly batchSize: number,
    private readonly pgvector: Pgvector,
  ) {}

  /** (Re)start re-embedding with `embedder`; a job for an older embedder stops at its next batch. */
  start(embedder: EmbedderDefinition): void {
    if (this.stopped) return;
    if (!embedder.isConfigured()) {
      this.log.warn({ embedder: embedder.id }, 'memory: embedder not configured; search is full-text only');
      return;
    }
    if (this.state.running && this.state.embedder === embedder.id) return;
    const generation = ++this.generation;
    if (this.retry) clearTimeout(this.retry);
    this.state = { embedder: embedder.id, done: 0, total: 0, running: true };
    const previous = this.job;
    this.job = previous
      .catch(() => undefined)
      .then(() => this.runLocked(embedder, generation))
      .catch((error: unknown) => this.log.error({ err: error, embedder: embedder.id }, 'memory: re-embedding failed'))
      .finally(() => {
        if (this.generation === generation) this.state.running = false;
      });
  }

  progress(embedderId: string): ReembedProgress {
    return { ...this.state, embedder: this.state.embedder || embedderId };
  }

  /** Resolves when the current local job is finished (tests, benchmarks). */
  whenIdle(): Promise<void> {
    return settleLatest(() => this.job);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    if (this.retry) clearTimeout(this.retry);
    await this.job;
  }

  private async runLocked(embedder: EmbedderDefinition, generation: number): Promise<void> {
    const client = await this.pool.connect();
    let locked = false;
    try {
      locked = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [REEMBED_LOCK])).rows[0]!.ok;
      if (!locked) {
        this.retryLater(embedder, generation);
        return;
      }
      const started = performance.now();
      this.state.total = (
        await this.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM memory_entries WHERE embedder IS DISTINCT FROM $1', [embedder.id])
      ).rows[0]!.n;
      // Passes until one finds nothing to do (entries written meanwhile without a vector join the next pass).
      while (this.generation === generation && (await this.pass(embedder, generation)) > 0);
      if (this.generation === generation) {
        this.log.info({ embedder: embedder.id, entries: this.state.done, ms: Math.round(performance.now() - started) }, 'memory: embedding done');
      }
    } finally {
      if (locked) await client.query('SELECT pg_advisory_unlock($1)', [REEMBED_LOCK]).catch(() => undefined);
      client.release();
    }
  }

  private retryLater(embedder: EmbedderDefinition, generation: number): void {
    this.retry = setTimeout(() => {
      if (this.generation !== generation || this.stopped) return;
      this.state.running = false;
      this.start(embedder);
    }, RETRY_MS);
    this.retry.unref();
  }

  /** One pass over the entries not embedded by `embedder`; returns how many it updated. */
  private async pass(embedder: EmbedderDefinition, generation: number): Promise<number> {
    let after: [string, string] = ['', ''];
    let updated = 0;
    let failures = 0;
    for (;;) {
      if (this.generation !== generation) return 0;
      const { rows } = await this.pool.query<Candidate>(
        `SELECT user_id, id, seq, doc->>'content' AS content FROM memory_entries
         WHERE embedder IS DISTINCT FROM $1 AND (user_id, id) > ($2, $3) ORDER BY user_id, id LIMIT $4`,
        [embedder.id, after[0], after[1], this.batchSize],
      );
      if (rows.length === 0) return updated;
      let vectors: Array<Float32Array | undefined>;
      try {
        vectors = await this.vectorsFor(embedder, rows);
      } catch (error) {
        failures++;
        this.log.warn({ err: error, embedder: embedder.id, failures }, 'memory: embedding batch failed; retrying');
        if (failures >= 5) throw error;
        await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** failures)));
        continue;
      }
      if (this.generation !== generation) return 0;
      updated += await this.store(embedder, rows, vectors);
      this.state.done += rows.length;
      const last = rows[rows.length - 1]!;
      after = [last.user_id, last.id];
    }
  }

  /** Vectors for a batch: kept ones by this embedder (switching back), the rest embedded now. */
  private async vectorsFor(embedder: EmbedderDefinition, rows: Candidate[]): Promise<Array<Float32Array | undefined>> {
    const kept = await this.pool.query<{ user_id: string; id: string; vector: Buffer }>(
      `SELECT user_id, id, vector FROM memory_vectors WHERE embedder = $1 AND dims = $2
       AND (user_id, id) IN (SELECT * FROM unnest($3::text[], $4::text[]))`,
      [embedder.id, embedder.dims, rows.map((r) => r.user_id), rows.map((r) => r.id)],
    );
    const keptBy = new Map(kept.rows.map((k) => [`${k.user_id}\u0000${k.id}`, bytesVector(k.vector)]));
    const vectors = rows.map((r) => keptBy.get(`${r.user_id}\u0000${r.id}`));
    const missing = rows.filter((_, i) => !vectors[i]);
    if (missing.length > 0) {
      const made = await embedder.embed(missing.map((r) => r.content));
      let j = 0;
      for (let i = 0; i < rows.length; i++) if (!vectors[i]) vectors[i] = made[j++];
    }
    return vectors;
  }

  /** Write a batch back, one transaction per user; entries changed since they were read are left to their writer. */
  private async store(embedder: EmbedderDefinition, rows: Candidate[], vectors: Array<Float32Array | undefined>): Promise<number> {
    const byUser = new Map<string, Array<[Candidate, Float32Array]>>();
    rows.forEach((row, i) => {
      const v = vectors[i];
      if (!v || v.length !== embedder.dims) return;
      const list = byUser.get(row.user_id) ?? [];
      list.push([row, v]);
      byUser.set(row.user_id, list);
    });
    let n = 0;
    for (const [userId, items] of byUser) {
      n += await inTransaction(this.pool, async (client) => {
        const seq = await bumpVersion(client, userId);
        let done = 0;
        for (const [row, v] of items) {
          const r = await client.query('UPDATE memory_entries SET embedder = $3, dims = $4, seq = $5 WHERE user_id = $1 AND id = $2 AND seq = $6', [
            userId, row.id, embedder.id, embedder.dims, seq, row.seq,
          ]);
          if (r.rowCount === 1) {
            await putVector(client, userId, row.id, embedder.id, v);
            await this.pgvector.fill(client, userId, row.id, embedder.id, v);
            done++;
          }
        }
        return done;
      });
    }
    return n;
  }
}
