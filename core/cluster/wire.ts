/**
 * Makes N instances on one database behave as one service (only when the cluster is shared; a single instance is left
 * exactly as it was): configuration, stops, approvals and account notices travel over the bus. Accounts, the
 * sign-in throttle and plan counters are made shared where they are constructed (`sharedAccounts`, `sharedUsage`).
 */
import type { CoreServices } from '../runtime.ts';
import { followAccounts, shareApprovals, spreadStop } from './wire-agent.ts';
import { spreadConfiguration } from './wire-config.ts';

export async function wireCluster(core: CoreServices, afterSettingsChange: () => void): Promise<void> {
  const { cluster } = core;
  if (!cluster.shared || !cluster.pool) return;
  spreadConfiguration(cluster.bus, { ...core, afterSettingsChange });
  spreadStop(core.agent, cluster.bus);
  followAccounts(core.accounts, cluster.bus);
  await shareApprovals(core.agent, cluster.bus, cluster.pool);
}
