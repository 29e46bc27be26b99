/**
 * Makes N instances on one database behave as one service (only when the cluster is shared; a single instance is left
 * exactly as it was): configuration, stops, approvals and account notices travel over the bus. Accounts, the
 * sign-in throttle and plan counters are made shared where they are constructed (`sharedAccounts`, `sharedUsage`).
 */
import type { CoreServices } from '../runtime.ts';
import { followAccounts, shareApprovals, spreadStop } from './wire-agent.ts';
import { spreadConfiguration } from './wire-config.ts';
import { schedulePruning } from '../memory/postgres/prune.ts';
import { PgMemoryStore } from '../memory/postgres/store.ts';

/** Memory tombstones older than this are pruned (`MEMORY_TOMBSTONE_TTL_S`, default one day, at least one second). */
function tombstoneTtlSeconds(): number {
  const n = Number(process.env.MEMORY_TOMBSTONE_TTL_S);
  return Number.isFinite(n) && n >= 1 ? n : 86_400;
}

export async function wireCluster(core: CoreServices, afterSettingsChange: () => void): Promise<void> {
  const { cluster } = core;
  if (!cluster.shared || !cluster.pool) return;
  spreadConfiguration(cluster.bus, { ...core, afterSettingsChange });
  spreadStop(core.agent, cluster.bus);
  followAccounts(core.accounts, cluster.bus);
  await shareApprovals(core.agent, cluster.bus, cluster.pool);
  if (core.memory instanceof PgMemoryStore) { // memory on PostgreSQL: its tombstones are pruned once, cluster-wide
    const pool = cluster.pool;
    schedulePruning({ pool, runOnce: (job, due) => cluster.runOnce(job, due), ttlSeconds: tombstoneTtlSeconds(), log: core.log });
  }
}
