/**
 * The cluster of this instance: in-process without DATABASE_URL (one process is the service), PostgreSQL-backed with
 * it (several instances behind a load balancer behave as one). See `types.ts` for the contract, `wire-*.ts` for what
 * is shared across instances.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { localCluster } from './local.ts';
import { pgCluster } from './pg-cluster.ts';
import type { Cluster } from './types.ts';
import type { SharedAccounts, UserRecord } from '../auth/accounts.ts';
import type { SharedUsage } from '../auth/usage.ts';
import { PgUsageCounters } from './pg-usage.ts';
import { ACCOUNT_CHANGED } from './topics.ts';

export type { Bus, Cluster, Lease, LeaseHandlers, Leases } from './types.ts';
export { RECONNECTED } from './types.ts';

/** The cluster for this instance: shared when the store runs on PostgreSQL (its pool), local otherwise. */
export async function openCluster(options: { databaseUrl?: string; pool?: pg.Pool; log: Logger }): Promise<Cluster> {
  if (!options.databaseUrl || !options.pool) return localCluster();
  return pgCluster(options.databaseUrl, options.pool, options.log.child({ module: 'cluster' }));
}

/** The fence topic of account records (token version, disabled, plan): what `Accounts.verify` holds in memory. */
const ACCOUNTS_FENCE = 'accounts';

/** What accounts need when instances share them (undefined on a single instance: accounts behave as before). */
export function sharedAccounts(cluster: Cluster): SharedAccounts | undefined {
  if (!cluster.shared || !cluster.pool) return undefined;
  return {
    pool: cluster.pool,
    withLock: (name, fn) => cluster.withLock(name, fn),
    changed: async (userId) => {
      void cluster.bus.publish(ACCOUNT_CHANGED, { id: userId }).catch(() => undefined);
      await cluster.fence?.changed(ACCOUNTS_FENCE, userId);
    },
    ...(cluster.fence ? { verified: cluster.fence.cache<UserRecord>(ACCOUNTS_FENCE) } : {}),
  };
}

/** Plan counters in PostgreSQL when shared (undefined on a single instance: the usage documents as before). */
export function sharedUsage(cluster: Cluster): SharedUsage | undefined {
  return cluster.shared && cluster.pool ? new PgUsageCounters(cluster.pool) : undefined;
}
