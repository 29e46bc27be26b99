/** The store contract: collections, per-user partitions, atomic create-if-absent. */


/** A document with an id. */
export type Doc = { id: string } & Record<string, any>;

/** Outcome of `createIfAbsent`: the stored document, or the one that already had the id. */
export type CreateResult<T> = { created: true; doc: T } | { created: false; existing: T };

/** Options given when a collection is declared (the first declaration's `isValid` wins; `critical` is sticky). */
export interface CollectionOptions {
  /**
   * The server must not run without this data: when its file is damaged, the server refuses to start (with a message
   * naming the file and its moved-aside copy) instead of starting the collection empty. Declare it in `setup()`.
   */
  critical?: boolean;
  /** Extra check of a stored document when the file is read; a document it refuses is damage. */
  isValid?: (doc: unknown) => boolean;
}

/** One collection of documents in one JSON file (lowdb). Writes resolve once the data is on disk. */
export interface Collection<T extends Doc> {
  get(id: string): Promise<T | undefined>;
  /** All documents, insertion order (copies). */
  all(): Promise<T[]>;
  /** All documents without copying them: frozen, read-only — for hot read paths. */
  snapshot(): Promise<ReadonlyArray<Readonly<T>>>;
  find(predicate: (doc: T) => boolean): Promise<T[]>;
  count(): Promise<number>;
  /** Insert; an existing id → `conflict` error (409). Atomic: of concurrent inserts with one id exactly one succeeds. */
  insert(doc: T): Promise<T>;
  /** Insert unless the id exists, checked and inserted in one step (no check-then-act race); never throws a 409. */
  createIfAbsent(doc: T): Promise<CreateResult<T>>;
  /** Replace or insert. */
  put(doc: T): Promise<T>;
  /** Merge a patch or apply a function; `undefined` when there is no such document. */
  update(id: string, patch: Partial<T> | ((doc: T) => T)): Promise<T | undefined>;
  delete(id: string): Promise<boolean>;
  /** Delete many in one write; returns how many. */
  deleteWhere(predicate: (doc: T) => boolean): Promise<number>;
  /** Remove the whole collection file. */
  drop(): Promise<void>;
}

/** A collection split into one file per partition key (e.g. per conversation), so one write rewrites one partition. */
export interface PartitionedCollection<T extends Doc> {
  partition(key: string): Collection<T>;
  /** Partition keys that exist on disk. */
  keys(): Promise<string[]>;
  dropPartition(key: string): Promise<void>;
}

/** The data of one user. Every query through it is scoped to that user by the store itself. */
export interface UserStore {
  readonly userId: string;
  /** A collection of this user's documents (`DATA_DIR/store/<name>/<userId>.json`). */
  collection<T extends Doc>(name: string, options?: Pick<CollectionOptions, 'isValid'>): Collection<T>;
  /** A partitioned collection of this user's documents (`DATA_DIR/store/<name>/<userId>/<key>.json`). */
  partitioned<T extends Doc>(name: string): PartitionedCollection<T>;
}

/** The shared store. */
export interface PluginStore {
  /** A global collection (not per user). Prefer `forUser` for user data. */
  collection<T extends Doc>(name: string, options?: CollectionOptions): Collection<T>;
  /** The only way to reach a user's data. */
  forUser(userId: string): UserStore;
  /** Ids of users that have data in the per-user collection `name`. */
  usersWith(name: string): Promise<string[]>;
  /** This plugin's private key-value state (`DATA_DIR/store/plugin-<name>.json`). */
  plugin: {
    get<V = unknown>(key: string): Promise<V | undefined>;
    set<V = unknown>(key: string, value: V): Promise<void>;
    delete(key: string): Promise<void>;
  };
  /** This plugin's private folder for files (`DATA_DIR/plugins/<name>`), created on first use. */
  dir(): Promise<string>;
}
