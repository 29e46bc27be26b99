/**
 * The pgvector extension, when the server has it. Nothing needs it: Debian 12 has no pgvector package, so the default
 * path keeps vectors as bytea and ranks them in process. When `CREATE EXTENSION IF NOT EXISTS vector` succeeds (and
 * AION_PGVECTOR is not `off`), memory_vectors gains an `embedding vector` column, filled on every vector write and
 * backfilled in the background, and the vector side of search runs in PostgreSQL (exact `<#>` inner product: no
 * approximate index, so it ranks like the in-process exact scan) instead of on this instance's event loop. Any error
 * of this path is logged once and turns it off for the process: search then uses the in-process vectors, which are
 * always loaded, so falling back costs nothing. Failing to create the extension is silent (debug log).
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { inTransaction } from '../../db/pool.ts';
import { bytesVector } from './rows.ts';

const LOCK = 7_000_021;

export class Pgvector {
  enabled = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
  ) {}

  /** Try to enable the extension and its column; false (silently) when the server cannot. */
  async detect(): Promise<boolean> {
    if ((process.env.AION_PGVECTOR ?? '').toLowerCase() === 'off') return false;
    try {
      await inTransaction(this.pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK]);
        await client.query('CREATE EXTENSION IF NOT EXISTS vector');
        await client.query('ALTER TABLE memory_vectors ADD COLUMN IF NOT EXISTS embedding vector');
        await client.query("SELECT '[1,0]'::vector <#> '[0,1]'::vector");
      });
      this.enabled = true;
      this.log.info('memory: pgvector found; vector search runs in PostgreSQL');
      void this.backfill();
    } catch (error) {
      this.log.debug({ err: error }, 'memory: pgvector not available; vectors are ranked in process');
    }
    return this.enabled;
  }

  /** Fill the vector column of one written vector, inside the write's transaction, without risking the write. */
  async fill(client: pg.PoolClient, userId: string, id: string, embedder: string, vector: Float32Array): Promise<void> {
    if (!this.enabled) return;
    await client.query('SAVEPOINT pgvector_fill');
    try {
      await client.query('UPDATE memory_vectors SET embedding = $4::real[]::vector WHERE user_id = $1 AND id = $2 AND embedder = $3', [userId, id, embedder, Array.from(vector)]);
      await client.query('RELEASE SAVEPOINT pgvector_fill');
    } catch (error) {
      await client.query('ROLLBACK TO SAVEPOINT pgvector_fill');
      this.disable(error);
    }
  }

  /** Top-k ids by inner product; null when the path is off or failed (the caller ranks in process). */
  async search(userId: string, embedder: string, query: Float32Array, k: number, accept: (id: string) => boolean, minSim: number): Promise<string[] | null> {
    if (!this.enabled) return null;
    try {
      const { rows } = await this.pool.query<{ id: string; sim: number }>(
        `SELECT v.id, -(v.embedding <#> $3::real[]::vector) AS sim FROM memory_vectors v
         JOIN memory_entries e ON e.user_id = v.user_id AND e.id = v.id
         WHERE v.user_id = $1 AND v.embedder = $2 AND e.embedder = $2 AND v.embedding IS NOT NULL
         ORDER BY v.embedding <#> $3::real[]::vector, v.id LIMIT $4`,
        [userId, embedder, Array.from(query), k * 4],
      );
      return rows.filter((r) => r.sim >= minSim && accept(r.id)).slice(0, k).map((r) => r.id);
    } catch (error) {
      this.disable(error);
      return null;
    }
  }

  private disable(error: unknown): void {
    if (!this.enabled) return;
    this.enabled = false;
    this.log.warn({ err: error }, 'memory: pgvector failed; vectors are ranked in process from now on');
  }

  /** Vectors stored before the column existed (or copied in) get their column value, a batch at a time. */
  private async backfill(): Promise<void> {
    while (this.enabled) {
      try {
        const { rows } = await this.pool.query<{ user_id: string; id: string; embedder: string; vector: Buffer }>(
          'SELECT user_id, id, embedder, vector FROM memory_vectors WHERE embedding IS NULL LIMIT 500',
        );
        if (rows.length === 0) return;
        for (const r of rows) {
          await this.pool.query('UPDATE memory_vectors SET embedding = $4::real[]::vector WHERE user_id = $1 AND id = $2 AND embedder = $3', [
            r.user_id, r.id, r.embedder, Array.from(bytesVector(r.vector)),
          ]);
        }
      } catch (error) {
        this.disable(error);
      }
    }
  }
}
