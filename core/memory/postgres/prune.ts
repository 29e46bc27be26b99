/**
 * Pruning memory tombstones on PostgreSQL. A delete leaves a tombstone so other instances' views learn of it when
 * they catch up; once every instance has had ample time to, it is dead weight. Old tombstones are deleted in one
 * statement that also raises each user's `pruned_through`, so a view still older than them reloads the user instead
 * of missing a delete (see sync.ts). Run once per period across the cluster (`schedulePruning`).
 */
import type pg from 'pg';

/** Delete tombstones older than `ttlSeconds`; returns how many went. */
export async function pruneTombstones(pool: pg.Pool, ttlSeconds: number): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `WITH gone AS (DELETE FROM memory_tombstones WHERE deleted_at < now() - make_interval(secs => $1) RETURNING user_id, seq),
          newest AS (SELECT user_id, max(seq) AS through FROM gone GROUP BY user_id),
          marked AS (UPDATE memory_users u SET pruned_through = GREATEST(u.pruned_through, newest.through)
                     FROM newest WHERE u.user_id = newest.user_id RETURNING 1)
     SELECT (SELECT count(*)::int FROM gone) AS n, (SELECT count(*) FROM marked) AS users`,
    [ttlSeconds],
  );
  return rows[0]?.n ?? 0;
}

export interface PruneSchedule {
  pool: pg.Pool;
  /** Claim one period's run across instances (the cluster's `runOnce`). */
  runOnce(job: string, due: string): Promise<boolean>;
  ttlSeconds: number;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

/** Every period (the TTL, at most an hour) exactly one instance prunes; returns the stop function. */
export function schedulePruning(s: PruneSchedule): () => void {
  const periodMs = Math.min(s.ttlSeconds, 3600) * 1000;
  const tick = async () => {
    const due = String(Math.floor(Date.now() / periodMs));
    if (!(await s.runOnce('memory.prune-tombstones', due))) return;
    const n = await pruneTombstones(s.pool, s.ttlSeconds);
    if (n) s.log.info({ tombstones: n }, 'memory: pruned old tombstones');
  };
  const timer = setInterval(() => void tick().catch((error) => s.log.warn({ err: String(error) }, 'memory: tombstone pruning failed')), periodMs);
  timer.unref();
  return () => clearInterval(timer);
}
