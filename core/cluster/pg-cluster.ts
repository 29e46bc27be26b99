/**
 * The cluster of instances sharing one PostgreSQL database: the bus (LISTEN/NOTIFY) and leases (advisory locks) on a
 * dedicated session, "run once" claims as rows (`INSERT … ON CONFLICT DO NOTHING` on (job, due)), and the cluster-wide
 * lock as a transaction advisory lock on a pooled connection.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import { BUS_CHANNEL, PgBus } from './pg-bus.ts';
import { PgFence } from './pg-fence.ts';
import { PgLeases } from './pg-leases.ts';
import { PgSession } from './pg-session.ts';
import type { Cluster } from './types.ts';

const LOCK_NAMESPACE = 41;
/** Claims older than this are deleted (an occurrence is never due again after a week). */
const CLAIM_RETENTION = '7 days';

export async function pgCluster(url: string, pool: pg.Pool, log: Logger): Promise<Cluster> {
  const instanceId = randomUUID();
  const session = new PgSession(url, log);
  const bus = new PgBus(pool, session, instanceId, log);
  const leases = new PgLeases(session, log);
  const fence = new PgFence(pool, session, bus, instanceId, log);
  await session.start();
  // Listening before the instance serves (LISTEN is idempotent): a message published right after start is heard.
  await session.current()?.query(`LISTEN ${BUS_CHANNEL}`).catch(() => undefined);
  let claimsSinceCleanup = 0;
  return {
    instanceId,
    pool,
    shared: true,
    bus,
    leases,
    fence,
    async runOnce(job, due) {
      const r = await pool.query('INSERT INTO aion_run_once (job, due, instance) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [job, due, instanceId]);
      if (++claimsSinceCleanup >= 1000) {
        claimsSinceCleanup = 0;
        void pool.query(`DELETE FROM aion_run_once WHERE claimed_at < now() - interval '${CLAIM_RETENTION}'`).catch(() => undefined);
      }
      return r.rowCount === 1;
    },
    async withLock(name, fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_NAMESPACE, name]);
        try {
          return await fn();
        } finally {
          await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_NAMESPACE, name]).catch((e) => (broken = e));
        }
      } finally {
        // A connection that could not unlock is destroyed (its lock goes with it), never handed back to the pool.
        client.release(broken);
      }
    },
    async close() {
      leases.stop();
      fence.close();
      await session.close();
    },
  };
}
