/**
 * Turns across instances: `stop(userId)` on any instance also stops the user's turns running on the others (the bus
 * carries the user id), and parked approvals are shared through PostgreSQL so any instance answers them.
 */
import type pg from 'pg';
import type { AgentService } from '../agent/service.ts';
import type { Accounts } from '../auth/accounts.ts';
import { PgParkedTurns } from './pg-approvals.ts';
import { ACCOUNT_CHANGED, STOP_TURNS } from './topics.ts';
import { RECONNECTED, type Bus } from './types.ts';

/**
 * The public `stop` now also tells the other instances; the count it returns is of this instance's turns (the others
 * stop theirs without answering back).
 */
export function spreadStop(agent: AgentService, bus: Bus): void {
  const stopHere = agent.stop.bind(agent);
  agent.stop = (userId: string) => {
    const stopped = stopHere(userId);
    void bus.publish(STOP_TURNS, { userId }).catch(() => undefined);
    return stopped;
  };
  bus.subscribe(STOP_TURNS, (p, meta) => (meta.fromSelf || typeof p.userId !== 'string' ? undefined : stopHere(p.userId)));
}

export async function shareApprovals(agent: AgentService, bus: Bus, pool: pg.Pool): Promise<void> {
  await agent.approvals.share(new PgParkedTurns(pool), bus);
  bus.subscribe(RECONNECTED, () => agent.approvals.resync().catch(() => undefined));
}

/** Accounts read users from the database on use; the notice keeps this instance's list (counts, admin list) current. */
export function followAccounts(accounts: Accounts, bus: Bus): void {
  bus.subscribe(ACCOUNT_CHANGED, (p, meta) => (meta.fromSelf || typeof p.id !== 'string' ? undefined : accounts.refresh(p.id).catch(() => undefined)));
}
