/**
 * The document store: collections on lowdb JSON files under `DATA_DIR/store/`.
 *
 * Layout (so no write ever rewrites more than one user's or one conversation's data):
 * - global collection `name`:                 `store/<name>.json`
 * - per-user collection `name`:               `store/<name>/<userId>.json`
 * - per-user partitioned collection `name`:   `store/<name>/<userId>/<key>.json` (e.g. messages per conversation)
 *
 * User data is reachable only through `forUser(userId)`, so a handler cannot forget to scope a query.
 *
 * This is the default driver of the `DocumentStore` seam (`driver.ts`); `open.ts` picks PostgreSQL instead when
 * `DATABASE_URL` is set.
 *
 * One file has at most one live `FileCollection` (callers may hold theirs for as long as they like): the store keeps
 * weak references to them, plus strong ones in the bounded cache of loaded collections (`cache.ts`).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Collection, CollectionOptions, Doc, PartitionedCollection, UserStore } from '../plugin-api/types.ts';
import { CollectionCache, type CacheStats } from './cache.ts';
import { FileCollection, type CollectionHooks, type DamageReport } from './collection.ts';
import { refusalForDamage, StartupRefusedError } from './damage.ts';
import { JsonFormat } from './formats.ts';
import { LogFormat } from './log-format.ts';
import { LogHandles } from './log-handles.ts';
import type { DocumentStore, ManyPartitions } from './driver.ts';
import { entryPath } from '../util/entry-path.ts';
import { checkKey, checkName, COLLECTION_NAME as NAME } from './names.ts';

/** The store as core uses it, whichever driver is behind it. */
export type Store = DocumentStore;

export interface StoreOptions {
  /** Budget of the cache of loaded collections, bytes of JSON (default 128 MiB, as `STORE_CACHE_MB`). */
  cacheBytes?: number;
}

export class FileStore implements DocumentStore {
  readonly driver = 'files' as const;
  /** One process owns the files: its in-memory collections are the truth. */
  readonly shared = false;
  readonly root: string;
  private readonly files = new Map<string, WeakRef<FileCollection<any>>>();
  private readonly collected = new FinalizationRegistry<string>((file) => {
    if (this.files.get(file)?.deref() === undefined) this.files.delete(file);
  });
  private readonly cache: CollectionCache;
  private readonly hooks: CollectionHooks;
  /** The logs kept open between appends (bounded). */
  private readonly logHandles = new LogHandles();
  /** Damage found in store files since start. */
  readonly damages: DamageReport[] = [];

  constructor(dataDir: string, private readonly log: Logger, options: StoreOptions = {}) {
    this.root = path.join(dataDir, 'store');
    this.cache = new CollectionCache(options.cacheBytes ?? 128 * 1024 * 1024);
    this.hooks = {
      loaded: (c) => this.cache.touch(c),
      damaged: (report) => this.damages.push(report),
    };
  }

  private open<T extends Doc>(name: string, file: string, options?: CollectionOptions, appendOnly = false): FileCollection<T> {
    let c = this.files.get(file)?.deref();
    if (!c) {
      c = new FileCollection<T>(name, file, this.log, this.hooks, appendOnly ? new LogFormat<T>(file, this.logHandles) : new JsonFormat<T>(file));
      this.files.set(file, new WeakRef(c));
      this.collected.register(c, file);
    }
    c.configure(options);
    return c;
  }

  /** A global collection. `critical` ones stop the server from starting when their file is damaged. */
  collection<T extends Doc>(name: string, options?: CollectionOptions): Collection<T> {
    // Each plugin opens its collections at start: entryPath, not path.join (entry-path.ts says why).
    return this.open<T>(name, entryPath(this.root, `${checkName(name)}.json`), options);
  }

  /** The data of one user. */
  forUser(userId: string): UserStore {
    checkKey(userId);
    const store = this;
    return {
      userId,
      collection<T extends Doc>(name: string, options?: Pick<CollectionOptions, 'isValid'>): Collection<T> {
        return store.open<T>(name, path.join(store.root, checkName(name), `${userId}.json`), options && { isValid: options.isValid });
      },
      partitioned<T extends Doc>(name: string): PartitionedCollection<T> & ManyPartitions<T> {
        const dir = path.join(store.root, checkName(name), userId);
        // A partition's file by concatenation: `dir` is already normal and a checked key has no separator or dot, so
        // this is what path.join gives, without its normalising pass on every message read or write (issue #16's GET
        // profile). One function for every use, so each opens the same cached collection.
        const fileOf = (key: string) => `${dir}${path.sep}${checkKey(key)}.json`;
        return {
          snapshotMany: async (keys) => {
            const parts = keys.map((key) => store.open<T>(name, fileOf(key), undefined, true));
            return new Map(await Promise.all(parts.map(async (c, i) => [keys[i], await c.snapshot()] as const)));
          },
          // Partitions grow by appending (messages, receipts): each is an append-only log, compacted when mostly dead.
          partition: (key) => store.open<T>(name, fileOf(key), undefined, true),
          keys: async () => partitionNames(dir),
          dropPartition: async (key) => {
            const c = store.open<T>(name, fileOf(key), undefined, true);
            await c.drop();
            store.cache.forget(c);
          },
        };
      },
    };
  }

  /** Users that have a file in the per-user collection `name`. */
  async usersWith(name: string): Promise<string[]> {
    // Schedulers ask this every tick: entryPath, not path.join (entry-path.ts says why).
    return jsonNames(entryPath(this.root, checkName(name)));
  }

  /** Does any per-user collection hold data (a folder under `store/` that is not empty)? */
  async hasUserData(): Promise<boolean> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.isDirectory() && (await readdir(path.join(this.root, e.name)).catch(() => [])).length > 0) return true;
    }
    return false;
  }

  /** Load every global collection file now, so damaged files are found and reported at start. */
  async loadGlobals(): Promise<void> {
    let entries: string[] = [];
    try {
      entries = await readdir(this.root);
    } catch {
      return;
    }
    await Promise.all(
      entries
        .filter((f) => f.endsWith('.json') && NAME.test(f.slice(0, -5)))
        .map((f) => (this.collection(f.slice(0, -5)) as FileCollection<any>).load()),
    );
  }

  /**
   * Load every collection declared critical and throw `StartupRefusedError` if one is damaged (or was, and its copy
   * was never restored): the server must not run without that data.
   */
  async assertCriticalIntact(labels: Record<string, string> = {}): Promise<void> {
    const critical = [...this.files.values()].map((r) => r.deref()).filter((c): c is FileCollection<any> => !!c?.isCritical);
    await Promise.all(critical.map((c) => c.load()));
    const damaged = critical.find((c) => c.damage);
    if (!damaged) return;
    const d = damaged.damage!;
    const label = labels[d.collection] ?? `"${d.collection}" collection`;
    const message = refusalForDamage(label, d.file, d.movedTo ?? d.asideCopies.at(-1), d.problems);
    throw new StartupRefusedError(d.movedTo ? message : `${message}\nDamaged copies found: ${d.asideCopies.join(', ')}`);
  }

  get location(): string {
    return this.root;
  }

  missingCollectionRefusal(name: string, label: string): string {
    const file = path.join(this.root, `${name}.json`);
    return [
      `AION refuses to start: the ${label} file ${file} is missing or empty, but ${this.root} holds data of existing accounts.`,
      'Starting would make the next signup the admin of that data, so the server stops instead.',
      `To restore: stop AION and put your backup of ${name}.json back at ${file}.`,
      `To start over deliberately, move the folders under ${this.root} out of the way first.`,
    ].join('\n');
  }

  cacheStats(): CacheStats {
    return this.cache.stats();
  }

  /** Wait for every pending write. */
  async settle(): Promise<void> {
    await Promise.all([...this.files.values()].map((r) => r.deref()?.settle()));
  }

  async close(): Promise<void> {
    await this.settle();
    await this.logHandles.closeAll();
  }
}

/** Partition keys in `dir`: logs (`.jsonl`) and partitions not yet converted from the older `.json` form. */
async function partitionNames(dir: string): Promise<string[]> {
  try {
    const names = (await readdir(dir)).flatMap((f) => (f.endsWith('.jsonl') ? [f.slice(0, -6)] : f.endsWith('.json') ? [f.slice(0, -5)] : []));
    return [...new Set(names)];
  } catch {
    return [];
  }
}

async function jsonNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  } catch {
    return [];
  }
}
