/**
 * The storage driver seam: what core asks of the document store, whichever engine keeps the documents.
 *
 * Two drivers implement it: `FileStore` (`store.ts`, lowdb JSON files and append-only logs under `DATA_DIR/store/`,
 * the default) and `PgStore` (`postgres/store.ts`, rows of one PostgreSQL table, chosen by `DATABASE_URL`). Plugins see
 * only the part of it that `plugin-api/store.ts` describes (`collection`, `forUser`, `usersWith`).
 */
import type { ChangeFence } from '../cluster/types.ts';
import type pg from 'pg';
import type { Collection, CollectionOptions, Doc, UserStore } from '../plugin-api/types.ts';
import type { CacheStats } from './cache.ts';

export type { CacheStats };

export interface DocumentStore {
  /** Which engine keeps the documents. */
  readonly driver: 'files' | 'postgres';
  /**
   * True when other processes may change the same documents at any time (several instances on one database): a
   * caller must not keep its own copy of mutable documents, or must refresh it when it misses.
   */
  readonly shared: boolean;
  /** Where the data lives, for messages to the operator (a folder, or the database without its password). */
  readonly location: string;
  /** The PostgreSQL pool of this instance (PostgreSQL driver only): memory and the cluster bus share it. */
  readonly pool?: pg.Pool;

  /** A global collection. `critical` ones stop the server from starting when their data is damaged. */
  collection<T extends Doc>(name: string, options?: CollectionOptions): Collection<T>;
  /** The data of one user: the only way to reach it. */
  forUser(userId: string): UserStore;
  /** Users that have data in the per-user collection `name`. */
  usersWith(name: string): Promise<string[]>;
  /** Does any per-user collection hold data? */
  hasUserData(): Promise<boolean>;
  /** Read what must be checked at start now (the file driver loads every global file), so damage is found early. */
  loadGlobals(): Promise<void>;
  /** Throw `StartupRefusedError` when a collection declared critical is damaged. */
  assertCriticalIntact(labels?: Record<string, string>): Promise<void>;
  /** The refusal to start when the critical collection `name` is empty although user data exists. */
  missingCollectionRefusal(name: string, label: string): string;
  /** What is held in memory (the file driver's cache of loaded collections; nothing on PostgreSQL). */
  cacheStats(): CacheStats;
  /**
   * Shared drivers: the cluster's change fence, once it is up. Joined reads are then answered from memory while the
   * fence vouches for them, and every write of a user's documents is announced before it is acknowledged.
   */
  useChangeFence?(fence: ChangeFence): void;
  /** Wait for every pending write. */
  settle(): Promise<void>;
  /** Settle, then release what the driver holds open (the PostgreSQL pool). */
  close(): Promise<void>;
}

/**
 * Read many partitions of one user's partitioned collection at once (both drivers offer it beside the plugin API's
 * `PartitionedCollection`): one query on PostgreSQL instead of one per partition. Missing partitions map to `[]`.
 */
export interface ManyPartitions<T> {
  snapshotMany(keys: string[]): Promise<Map<string, ReadonlyArray<Readonly<T>>>>;
}

/** What `PartitionJoins.parentsWithSummaries` tells about one partition without reading its items. */
export interface PartitionSummary<P> {
  parent: Readonly<P>;
  /** Items in the partition. */
  count: number;
  /** The greatest numeric `updatedAt` of its items (null when none has one). */
  latestUpdatedAt: number | null;
  /** The field `field` of its last item (insertion order); undefined when the partition is empty. */
  lastField: unknown;
}

/**
 * Reads that join a user's collection (`parent`) with the partitions of a partitioned collection keyed by the parent's
 * ids (a conversation and its messages), offered by the PostgreSQL driver only: one statement, so one round trip and
 * one consistent snapshot, instead of one query per collection.
 */
export interface PartitionJoins<T> {
  /** The parent document `key` and the items of partition `key`; undefined when the parent does not exist. */
  parentWithPartition<P>(parent: string, key: string): Promise<{ parent: Readonly<P>; items: ReadonlyArray<Readonly<T>> } | undefined>;
  /** Every parent document (insertion order), each with a summary of its partition. */
  parentsWithSummaries<P>(parent: string, field: string): Promise<ReadonlyArray<PartitionSummary<P>>>;
}

/**
 * Reads and writes without copies, for hot paths (the file driver's collections offer them): `peek` hands out the
 * stored, frozen document itself; `insertAll` adds new documents in one write, all or none (a used id → 409), and
 * returns nothing to copy. Callers fall back to `get` and `insert` on a collection without them.
 */
export interface FrozenReads<T> {
  peek(id: string): Promise<Readonly<T> | undefined>;
  insertAll(docs: readonly T[]): Promise<void>;
}

/** Whether `c` offers `FrozenReads`. */
export function hasFrozenReads<T>(c: object): c is FrozenReads<T> {
  return typeof (c as Partial<FrozenReads<T>>).peek === 'function' && typeof (c as Partial<FrozenReads<T>>).insertAll === 'function';
}
