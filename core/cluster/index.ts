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

export type { Bus, Cluster, Lease, LeaseHandlers, Leases } from './types.ts';
export { RECONNECTED } from './types.ts';

export async function openCluster(options: { databaseUrl?: string; pool?: pg.Pool; log: Logger }): Promise<Cluster> {
  if (!options.databaseUrl || !options.pool) return localCluster();
  return pgCluster(options.databaseUrl, options.pool, options.log.child({ module: 'cluster' }));
}
