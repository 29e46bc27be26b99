/**
 * The document store on PostgreSQL (`DATABASE_URL` set): the same collections, users and partitions as the file
 * driver, as rows of `store_documents` (see `core/db/migrations/001-store-documents.sql`). Several instances share one
 * database; what one instance committed is what the next read on any instance returns. Kept in memory: partitions with
 * their version, which a read checks in its own statement (see partition-cache.ts), and — once the cluster's change
 * fence is up — joined reads, answered without asking while the fence vouches for them (see useChangeFence).
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { FencedGroups } from '../../cluster/fenced-groups.ts';
import type { ChangeFence } from '../../cluster/types.ts';
import type { Collection, CollectionOptions, Doc, PartitionedCollection, UserStore } from '../../plugin-api/types.ts';
import type { CacheStats, DocumentStore, ManyPartitions, PartitionJoins } from '../driver.ts';
import { deepFreeze } from '../freeze.ts';
import { checkKey, checkName } from '../names.ts';
import { PgCollection } from './collection.ts';
import { findCriticalDamage } from './checks.ts';
import { partitionJoins } from './joins.ts';
import { PartitionCache } from './partition-cache.ts';
import { SQL } from './sql.ts';

/** The fence topic of joined reads; its keys are owners (user ids). */
const JOINED_READS_TOPIC = 'store.joins';
/** Joined reads kept over all users (values share their frozen rows with the partition cache). */
const JOINED_READS_KEPT = 20_000;
/** Re-read after this long even without a notice: bounds what a change announced by an instance that died can cost. */
const JOINED_READS_MAX_AGE_MS = 5_000;

export class PgStore implements DocumentStore {
  readonly driver = 'postgres' as const;
  readonly shared = true;
  /** Global collections declared critical (checked at start) and their validators (the first declared wins). */
  private readonly criticalNames = new Set<string>();
  private readonly validators = new Map<string, (doc: unknown) => boolean>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly track = <R>(work: Promise<R>): Promise<R> => {
    this.pending.add(work);
    const done = () => void this.pending.delete(work);
    work.then(done, done);
    return work;
  };

  /** Partitions read with their version (a conversation's messages), re-shipped only when changed. */
  private readonly partitionCache: PartitionCache;
  /** With the cluster's fence: joined reads answered without asking, per owner (see useChangeFence). */
  private fence?: ChangeFence;
  private joinedReads?: FencedGroups<unknown>;

  /** STORE_CACHE_MB: the partitions' budget; joined reads get half as much again (they mostly share those rows). */
  private readonly cacheBytes: number;

  constructor(readonly pool: pg.Pool, readonly location: string, private readonly log: Logger, options: { cacheBytes?: number } = {}) {
    this.cacheBytes = options.cacheBytes ?? 64 * 1024 * 1024;
    this.partitionCache = new PartitionCache(this.cacheBytes);
  }

  private open<T extends Doc>(collection: string, owner: string, part: string): Collection<T> {
    return new PgCollection<T>(this.pool, { collection, owner, part }, this.track, owner ? () => this.announce(owner) : undefined);
  }

  /**
   * From now on, while this instance is the only one on the database, a user's joined reads (a conversation with its
   * messages, the list with its counters) are answered from memory — the way lowdb answers them from its cache — as
   * long as the fence vouches that every notice committed until a moment ago was heard. With other instances about,
   * they ask the database as before. A write of any of the owner's documents drops them here at once and, when this
   * instance cannot prove no other one is answering from memory, is announced and acknowledged first (pg-fence.ts).
   */
  useChangeFence(fence: ChangeFence): void {
    this.fence = fence;
    this.joinedReads = fence.soloCache(JOINED_READS_TOPIC, { maxEntries: JOINED_READS_KEPT, maxBytes: this.cacheBytes / 2, maxAgeMs: JOINED_READS_MAX_AGE_MS });
  }

  /** A committed write of `owner`'s documents: resolves once no instance answers a joined read made before it. */
  private announce(owner: string): Promise<void> {
    return this.fence ? this.fence.soloChanged(JOINED_READS_TOPIC, owner) : Promise.resolve();
  }

  collection<T extends Doc>(name: string, options?: CollectionOptions): Collection<T> {
    checkName(name);
    if (options?.critical) this.criticalNames.add(name);
    if (options?.isValid && !this.validators.has(name)) this.validators.set(name, options.isValid);
    return this.open<T>(name, '', '');
  }

  forUser(userId: string): UserStore {
    checkKey(userId);
    const store = this;
    return {
      userId,
      collection: <T extends Doc>(name: string) => store.open<T>(checkName(name), userId, ''),
      partitioned<T extends Doc>(name: string): PartitionedCollection<T> & ManyPartitions<T> & PartitionJoins<T> {
        checkName(name);
        return {
          ...partitionJoins<T>({ pool: store.pool, partitions: store.partitionCache, joined: store.joinedReads }, userId, name),
          snapshotMany: async (keys) => {
            const out = new Map<string, Readonly<T>[]>(keys.map((k) => [checkKey(k), []]));
            const { rows } = await store.pool.query({ ...SQL.manyPartitions, values: [name, userId, keys] });
            for (const r of rows) out.get(r.part)?.push(deepFreeze(r.doc));
            return out;
          },
          partition: (key) => store.open<T>(name, userId, checkKey(key)),
          keys: async () => (await store.pool.query({ ...SQL.partitions, values: [name, userId] })).rows.map((r) => r.part),
          dropPartition: (key) => store.open<T>(name, userId, checkKey(key)).drop(),
        };
      },
    };
  }

  async usersWith(name: string): Promise<string[]> {
    return (await this.pool.query({ ...SQL.owners, values: [checkName(name)] })).rows.map((r) => r.owner);
  }

  async hasUserData(): Promise<boolean> {
    return (await this.pool.query(SQL.anyUserData)).rows[0].any;
  }

  /** Nothing to load: rows are read when asked for. */
  async loadGlobals(): Promise<void> {}

  async assertCriticalIntact(labels: Record<string, string> = {}): Promise<void> {
    const critical = new Map([...this.criticalNames].map((name) => [name, this.validators.get(name)] as const));
    const refusal = await findCriticalDamage(this.pool, this.location, critical, labels);
    if (refusal) {
      this.log.error({ reason: refusal.message.split('\n')[0] }, 'store: critical collection damaged');
      throw refusal;
    }
  }

  missingCollectionRefusal(name: string, label: string): string {
    return [
      `AION refuses to start: the ${label} (collection "${name}" of ${this.location}) are missing, but the database holds data of existing accounts.`,
      'Starting would make the next signup the admin of that data, so the server stops instead.',
      `To restore: stop AION and restore the rows of store_documents with collection = '${name}' from your backup.`,
      `To start over deliberately, use an empty database (or DELETE FROM store_documents WHERE owner <> '').`,
    ].join('\n');
  }

  cacheStats(): CacheStats {
    return this.partitionCache.stats();
  }

  async settle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    await this.settle();
    await this.pool.end();
  }
}
