/**
 * Turns across instances: `stop(userId)` on any instance also stops the user's turns running on the others (the bus
 * carries the user id), and parked approvals are shared through PostgreSQL so any instance answers them.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { AgentService } from '../agent/service.ts';
import type { Accounts } from '../auth/accounts.ts';
import { PgParkedTurns } from './pg-approvals.ts';
import { ACCOUNT_CHANGED, STOP_TURNS, TURNS_STOPPED } from './topics.ts';
import { RECONNECTED, type Bus } from './types.ts';

/** How long `stopEverywhere` gathers the other instances' counts (NOTIFY arrives in milliseconds on a LAN). */
export const STOP_REPLY_WINDOW_MS = 300;

/**
 * `stop` also tells the other instances (its count is of this instance's turns); `stopEverywhere` asks them to answer
 * how many they stopped — only instances that stopped some answer, so it waits the whole window, then sums.
 */
export function spreadStop(agent: AgentService, bus: Bus): void {
  const stopHere = agent.stop.bind(agent);
  const asking = new Map<string, (n: number) => void>();
  agent.stop = (userId: string) => {
    const stopped = stopHere(userId);
    void bus.publish(STOP_TURNS, { userId }).catch(() => undefined);
    return stopped;
  };
  agent.stopEverywhere = async (userId: string) => {
    let stopped = stopHere(userId);
    const requestId = randomUUID();
    asking.set(requestId, (n) => void (stopped += n));
    try {
      await bus.publish(STOP_TURNS, { userId, requestId });
      await new Promise((resolve) => setTimeout(resolve, STOP_REPLY_WINDOW_MS));
    } catch {
      // The bus is down: the other instances cannot be told, so what stopped here is all that stopped.
    } finally {
      asking.delete(requestId);
    }
    return stopped;
  };
  bus.subscribe(STOP_TURNS, (p, meta) => {
    if (meta.fromSelf || typeof p.userId !== 'string') return;
    const n = stopHere(p.userId);
    if (n > 0 && typeof p.requestId === 'string') void bus.publish(TURNS_STOPPED, { requestId: p.requestId, stopped: n }).catch(() => undefined);
  });
  bus.subscribe(TURNS_STOPPED, (p) => {
    if (typeof p.requestId === 'string' && typeof p.stopped === 'number' && p.stopped > 0) asking.get(p.requestId)?.(Math.floor(p.stopped));
  });
}

export async function shareApprovals(agent: AgentService, bus: Bus, pool: pg.Pool): Promise<void> {
  await agent.approvals.share(new PgParkedTurns(pool), bus);
  bus.subscribe(RECONNECTED, () => agent.approvals.resync().catch(() => undefined));
}

/** Accounts read users from the database on use; the notice keeps this instance's list (counts, admin list) current. */
export function followAccounts(accounts: Accounts, bus: Bus): void {
  bus.subscribe(ACCOUNT_CHANGED, (p, meta) => (meta.fromSelf || typeof p.id !== 'string' ? undefined : accounts.refresh(p.id).catch(() => undefined)));
}
