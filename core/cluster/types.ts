/**
 * What several AION instances on one PostgreSQL share besides documents: a message bus, leadership leases, "run once"
 * claims and a cluster-wide lock. A single instance (no DATABASE_URL) gets in-process versions of the same contract,
 * so callers never branch on the deployment.
 */
import type { Pool } from '../db/pool.ts';
import type { FencedGroups, FencedGroupsOptions } from './fenced-groups.ts';
import type { FencedCache } from './fenced-cache.ts';

/** Who sent a bus message: `fromSelf` is true for this instance's own publications (handlers usually skip them). */
export interface BusMeta {
  from: string;
  fromSelf: boolean;
}

export type BusPayload = Record<string, unknown>;
export type BusHandler = (payload: BusPayload, meta: BusMeta) => unknown;

/**
 * Small notifications between instances ("settings changed", "stop user X"): a row id or a name, never the data — a
 * receiver reloads from the shared source. Delivery is at most once and only to instances connected at the time; after
 * a lost connection each subscriber of `RECONNECTED` hears of it, so it can reload everything it caches.
 */
export interface Bus {
  publish(topic: string, payload?: BusPayload): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(topic: string, handler: BusHandler): () => void;
}

/** Delivered locally (never published) after the bus connection came back: messages may have been missed. */
export const RECONNECTED = '$reconnected';

export interface LeaseHandlers {
  /** This instance became the leader of the lease (start the single-instance work). */
  onLead(): unknown;
  /** Leadership ended: released, or the connection that held it was lost (stop the work now). */
  onLose(): unknown;
}

export interface Lease {
  isLeader(): boolean;
  /** Give up leadership (and stop competing for it). */
  release(): Promise<void>;
}

export interface Leases {
  /** Compete for the lease `name`: at most one instance leads it at any time; another takes over when it dies. */
  lead(name: string, handlers: LeaseHandlers): Lease;
}

/**
 * Caches of rows that other instances change, kept coherent without a window (see pg-fence.ts): a cache answers only
 * while this instance provably heard every change notice, and `changed` returns once every live instance dropped the
 * key (or can no longer trust its cache). Shared clusters only.
 */
export interface ChangeFence {
  cache<V>(topic: string): FencedCache<V>;
  /** `key` of `topic` changed, and that change is committed: resolves when no instance answers the old value any more. */
  changed(topic: string, key: string): Promise<void>;
  /**
   * A cache whose notices name a group of entries (all of one owner's joined reads), answered only while this
   * instance is alone: several instances read the database, one alone reads its memory (see pg-fence.ts).
   */
  soloCache<V>(topic: string, options: FencedGroupsOptions): FencedGroups<V>;
  /** A committed change to what solo caches of `topic` hold: resolves when no instance answers the old value. */
  soloChanged(topic: string, key: string): Promise<void>;
}

export interface Cluster {
  /** This process, unique per start. */
  readonly instanceId: string;
  /** The instance's PostgreSQL pool when shared (the store's: the cluster opens no pool of its own). */
  readonly pool?: Pool;
  /** True when instances share a database (DATABASE_URL): the wiring of `core/cluster/wire-*.ts` is then on. */
  readonly shared: boolean;
  readonly bus: Bus;
  readonly leases: Leases;
  /** Present when shared: coherent caches of what other instances change. */
  readonly fence?: ChangeFence;
  /** Claim one occurrence of background work: true for exactly one caller per (job, due) across all instances. */
  runOnce(job: string, due: string): Promise<boolean>;
  /** Run `fn` while holding the cluster-wide lock `name` (one holder at a time across all instances). */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
