/**
 * One collection = one file: a lowdb-style JSON file `{ schemaVersion, items: [...] }` (`JsonFormat`) or, for
 * partitions, an append-only log (`LogFormat`); see `formats.ts`.
 *
 * Writes are coalesced: every mutation made in the same tick (and while a write is on its way) goes to disk in one
 * durable write, and each mutation's promise resolves only after the write that contains it has been fsynced. Writes
 * of one file never overlap.
 *
 * Every operation first makes sure the documents are loaded (`ready()`) and then reads or changes them in one
 * synchronous step, so a check and the change it guards (`createIfAbsent`) can never interleave with another call.
 * The documents of a clean collection may be dropped by the store's cache (`unload`) and are read again on next use.
 */
import type { Logger } from 'pino';
import type { Collection, CollectionOptions, CreateResult, Doc } from '../plugin-api/types.ts';
import { AppError, conflict } from '../errors.ts';
import type { Cacheable } from './cache.ts';
export type { DamageReport } from './collection-file.ts';
import type { DamageReport } from './collection-file.ts';
import { frozenJsonCopy, JsonFormat, type Change, type CollectionFormat } from './formats.ts';
import { migrate, SCHEMA_VERSION } from './migrations.ts';
import { clone, deepFreeze } from './freeze.ts';

interface FileShape<T> {
  schemaVersion: number;
  items: T[];
}

/** How a collection tells its store about loads, changes in size and damage. */
export interface CollectionHooks {
  loaded(c: FileCollection<any>): void;
  damaged(report: DamageReport): void;
}

/** Fixed per-collection overhead counted by the cache (maps, objects), so many tiny files are bounded too. */
const OVERHEAD_BYTES = 1024;

const empty = <T>(): FileShape<T> => ({ schemaVersion: SCHEMA_VERSION, items: [] });

export class FileCollection<T extends Doc> implements Collection<T>, Cacheable {
  /** The documents in file order (`items`) — the same `{ schemaVersion, items }` shape as lowdb's files. */
  private data: FileShape<T> = empty<T>();
  /** Mutations since the last write started (what an append-only format writes). */
  private changes: Change[] = [];
  private index = new Map<string, number>();
  /** The documents as one frozen array, shared by every `snapshot()` until the next change (see `changed`). */
  private snap: ReadonlyArray<Readonly<T>> | undefined;
  private loading: Promise<void> | undefined;
  private loaded = false;
  private bytes = 0;
  private dirty = false;
  private flushing: Promise<void> | undefined;
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private flushScheduled = false;
  private critical = false;
  private isValid: ((doc: unknown) => boolean) | undefined;
  /** Set when a load found damage; a critical collection then refuses every operation. */
  damage: DamageReport | undefined;

  constructor(
    readonly name: string,
    readonly file: string,
    private readonly log: Logger,
    private readonly hooks: CollectionHooks,
    private readonly format: CollectionFormat<T> = new JsonFormat<T>(file),
  ) {}

  /** Apply a declaration's options; `critical` is sticky (any declarer may ask for it). */
  configure(options: CollectionOptions | undefined): void {
    if (options?.critical) this.critical = true;
    if (options?.isValid && !this.isValid) this.isValid = options.isValid;
  }

  get isCritical(): boolean {
    return this.critical;
  }

  /** Load from disk once. Damage is moved aside (never silently emptied) and reported. */
  load(): Promise<void> {
    this.loading ??= this.readFromDisk().then(
      () => {
        this.loaded = true;
        this.hooks.loaded(this);
      },
      (error: unknown) => {
        this.loading = undefined; // an I/O error is retried by the next call, not remembered forever
        throw error;
      },
    );
    return this.loading;
  }

  private async readFromDisk(): Promise<void> {
    const read = await this.format.read({
      collection: this.name,
      critical: this.critical,
      isValid: this.isValid,
      log: this.log,
    });
    this.bytes = read.bytes;
    this.data = { schemaVersion: read.schemaVersion, items: read.items };
    this.changed();
    if (read.damage) {
      this.damage = read.damage;
      this.hooks.damaged(read.damage);
    }
    // Migrated in memory only: the next write stores the new form, and a reload migrates again the same way.
    if (this.data.schemaVersion < SCHEMA_VERSION) this.data = migrate(this.name, this.data);
    for (const item of this.data.items) deepFreeze(item);
    this.reindex();
  }

  /** Loaded and usable; loops because the cache may unload between a load finishing and its waiter running. */
  private async ready(): Promise<void> {
    while (!this.loaded) await this.load();
    if (this.critical && this.damage) {
      throw new AppError(503, 'STORE_DAMAGED', 'A data file of the server is damaged; an administrator must restore it (see the server log)');
    }
    this.hooks.loaded(this);
  }

  private reindex(): void {
    this.index.clear();
    this.data.items.forEach((item, i) => this.index.set(item.id, i));
  }

  private get items(): T[] {
    return this.data.items;
  }

  /** The documents changed (in memory): the next snapshot is a new array. */
  private changed(): void {
    this.snap = undefined;
  }

  async get(id: string): Promise<T | undefined> {
    await this.ready();
    const i = this.index.get(id);
    return i === undefined ? undefined : clone(this.items[i]);
  }

  /** The stored document itself, frozen (read-only), without a copy — for hot read paths (`FrozenReads`). */
  async peek(id: string): Promise<Readonly<T> | undefined> {
    await this.ready();
    const i = this.index.get(id);
    return i === undefined ? undefined : this.items[i];
  }

  async all(): Promise<T[]> {
    await this.ready();
    return clone(this.items);
  }

  /** Every document, insertion order, without copying: the documents are frozen (read-only) — for hot read paths. */
  /**
   * The same frozen array until the documents change: a hot read (a conversation's messages) costs no copy, and a
   * reader may remember what it derived from it (its JSON) by its identity.
   */
  async snapshot(): Promise<ReadonlyArray<Readonly<T>>> {
    await this.ready();
    return (this.snap ??= Object.freeze([...this.items]));
  }

  async find(predicate: (doc: T) => boolean): Promise<T[]> {
    await this.ready();
    return clone(this.items.filter(predicate));
  }

  async count(): Promise<number> {
    await this.ready();
    return this.items.length;
  }

  /** Check and insert in one synchronous step: of concurrent calls with one id exactly one creates. */
  async createIfAbsent(doc: T): Promise<CreateResult<T>> {
    await this.ready();
    const i = this.index.get(doc.id);
    if (i !== undefined) return { created: false, existing: clone(this.items[i]) };
    const stored = deepFreeze(clone(doc));
    this.index.set(stored.id, this.items.push(stored) - 1);
    this.changed();
    this.changes.push({ put: stored });
    await this.commit();
    return { created: true, doc: clone(stored) };
  }

  /**
   * Insert new documents in one durable write, all or none (a used id → 409 and nothing is written). Each document is
   * copied once on the way in, through the JSON its write reuses (`frozenJsonCopy`), and nothing is copied back
   * (`FrozenReads`): the hot write path of a message.
   */
  async insertAll(docs: readonly T[]): Promise<void> {
    await this.ready();
    const ids = new Set<string>();
    for (const d of docs) {
      if (this.index.has(d.id) || ids.has(d.id)) throw conflict(`An object with id "${d.id}" already exists`, 'ALREADY_EXISTS');
      ids.add(d.id);
    }
    for (const d of docs) {
      const stored = frozenJsonCopy(d);
      this.index.set(stored.id, this.items.push(stored) - 1);
      this.changes.push({ put: stored });
    }
    this.changed();
    await this.commit();
  }

  async insert(doc: T): Promise<T> {
    const result = await this.createIfAbsent(doc);
    if (!result.created) throw conflict(`An object with id "${doc.id}" already exists`, 'ALREADY_EXISTS');
    return result.doc;
  }

  async put(doc: T): Promise<T> {
    await this.ready();
    const stored = deepFreeze(clone(doc));
    const i = this.index.get(doc.id);
    if (i === undefined) this.index.set(stored.id, this.items.push(stored) - 1);
    else this.items[i] = stored;
    this.changed();
    this.changes.push({ put: stored });
    await this.commit();
    return clone(stored);
  }

  async update(id: string, patch: Partial<T> | ((doc: T) => T)): Promise<T | undefined> {
    await this.ready();
    const i = this.index.get(id);
    if (i === undefined) return undefined;
    const current = this.items[i];
    // A copy, so the caller keeps no reference into stored state.
    const next = deepFreeze(clone(typeof patch === 'function' ? patch(clone(current)) : { ...current, ...patch, id: current.id }));
    this.items[i] = next;
    this.changed();
    this.changes.push({ put: next });
    await this.commit();
    return clone(next);
  }

  async delete(id: string): Promise<boolean> {
    await this.ready();
    const i = this.index.get(id);
    if (i === undefined) return false;
    this.items.splice(i, 1);
    this.changed();
    this.reindex();
    this.changes.push({ del: id });
    await this.commit();
    return true;
  }

  async deleteWhere(predicate: (doc: T) => boolean): Promise<number> {
    await this.ready();
    const kept: T[] = [];
    for (const d of this.items) {
      if (predicate(d)) this.changes.push({ del: d.id });
      else kept.push(d);
    }
    const removed = this.items.length - kept.length;
    this.data.items = kept;
    this.changed();
    if (removed > 0) {
      this.reindex();
      await this.commit();
    }
    return removed;
  }

  async drop(): Promise<void> {
    await this.ready();
    await this.settle();
    this.data = empty<T>();
    this.changed();
    this.index.clear();
    this.bytes = 0;
    this.changes = [];
    await this.format.remove();
  }

  // ───────────────────────────── cache ─────────────────────────────

  cacheCost(): number {
    return this.bytes + OVERHEAD_BYTES;
  }

  evictable(): boolean {
    return this.loaded && !this.critical && !this.dirty && !this.flushing && !this.flushScheduled && this.waiters.length === 0;
  }

  unload(): void {
    this.changes = [];
    this.loaded = false;
    this.loading = undefined;
    this.data = empty<T>();
    this.changed();
    this.index = new Map();
  }

  // ───────────────────────────── writes ─────────────────────────────

  /** Resolves when a durable write containing the current state has finished. */
  private commit(): Promise<void> {
    this.dirty = true;
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // Coalesce all mutations of this tick into one write.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    while (this.flushing) {
      // A write is on its way; the next one starts right after it and covers these mutations too.
      await this.flushing.catch(() => {});
    }
    if (this.flushScheduled || !this.dirty) return;
    const waiters = this.waiters;
    const changes = this.changes;
    this.waiters = [];
    this.changes = [];
    this.dirty = false;
    this.flushing = this.format.write(this.data, changes).then((bytes) => void (this.bytes = bytes));
    try {
      await this.flushing;
      for (const w of waiters) w.resolve();
    } catch (error) {
      this.log.error({ err: error, file: this.file }, 'store write failed');
      for (const w of waiters) w.reject(error);
    } finally {
      this.flushing = undefined;
    }
    if (this.dirty && this.waiters.length && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => void this.flush());
    } else if (this.loaded) this.hooks.loaded(this); // clean again: the cache may trim now
  }

  /** Wait for pending writes (shutdown). */
  async settle(): Promise<void> {
    while (this.flushing || this.flushScheduled) {
      await (this.flushing ?? new Promise((r) => setImmediate(r))).catch(() => {});
    }
  }
}
