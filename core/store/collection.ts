/**
 * One collection = one lowdb JSON file `{ schemaVersion, items: [...] }`.
 *
 * Writes are coalesced: every mutation made in the same tick (and while a write is on its way) goes to disk in one
 * durable write, and each mutation's promise resolves only after the write that contains it has been fsynced. Writes
 * of one file never overlap.
 *
 * Every operation first makes sure the documents are loaded (`ready()`) and then reads or changes them in one
 * synchronous step, so a check and the change it guards (`createIfAbsent`) can never interleave with another call.
 * The documents of a clean collection may be dropped by the store's cache (`unload`) and are read again on next use.
 */
import { readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { Low } from 'lowdb';
import type { Logger } from 'pino';
import type { Collection, CollectionOptions, CreateResult, Doc } from '../plugin-api/types.ts';
import { AppError, conflict } from '../errors.ts';
import type { Cacheable } from './cache.ts';
import { asidePath, checkShape, isAsideOf } from './damage.ts';
import { DurableJSONFile } from './durable-file.ts';
import { migrate, SCHEMA_VERSION } from './migrations.ts';

interface FileShape<T> {
  schemaVersion: number;
  items: T[];
}

/** What a load found wrong with a file, kept for the start-up check and the log. */
export interface DamageReport {
  collection: string;
  file: string;
  /** Where the damaged bytes were moved; undefined when an earlier start moved them (`asideCopies` lists those). */
  movedTo?: string;
  problems: string[];
  asideCopies: string[];
}

/** How a collection tells its store about loads, changes in size and damage. */
export interface CollectionHooks {
  loaded(c: FileCollection<any>): void;
  damaged(report: DamageReport): void;
}

/** Fixed per-collection overhead counted by the cache (maps, objects), so many tiny files are bounded too. */
const OVERHEAD_BYTES = 1024;

/** Deep copy so callers can never mutate stored state by accident. */
const clone = <T>(value: T): T => structuredClone(value);

/** JSON of each stored (frozen, so unchanging) document. */
const serialized = new WeakMap<object, string>();

/** Freeze a stored document all the way down: stored state is then shareable with readers without a copy. */
function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || Object.isFrozen(v)) continue;
    Object.freeze(v);
    for (const child of Object.values(v)) stack.push(child);
  }
  return value;
}

const empty = <T>(): FileShape<T> => ({ schemaVersion: SCHEMA_VERSION, items: [] });

export class FileCollection<T extends Doc> implements Collection<T>, Cacheable {
  private db: Low<FileShape<T>>;
  private adapter: DurableJSONFile<FileShape<T>>;
  private index = new Map<string, number>();
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
  ) {
    this.adapter = new DurableJSONFile<FileShape<T>>(file);
    this.db = new Low(this.adapter, empty<T>());
  }

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
    const text = await this.adapter.readText();
    if (text === null) {
      this.db.data = empty<T>();
      this.bytes = 0;
      if (this.critical) await this.checkUnresolvedDamage();
      return;
    }
    let check: ReturnType<typeof checkShape<T>>;
    try {
      check = checkShape<T>(JSON.parse(text), this.isValid);
    } catch (error) {
      check = { items: [], schemaVersion: undefined, problems: [`not valid JSON (${(error as Error).message})`] };
    }
    this.bytes = text.length;
    this.db.data = { schemaVersion: check.schemaVersion ?? 0, items: check.items };
    if (check.problems.length) await this.setAside(check.problems);
    // Migrated in memory only: the next write stores the new form, and a reload migrates again the same way.
    if (this.db.data.schemaVersion < SCHEMA_VERSION) this.db.data = migrate(this.name, this.db.data);
    for (const item of this.db.data.items) deepFreeze(item);
    this.reindex();
  }

  /** Move the damaged file aside; a plain collection keeps (and writes back) what was well-formed. */
  private async setAside(problems: string[]): Promise<void> {
    const movedTo = asidePath(this.file);
    await rename(this.file, movedTo);
    this.damage = { collection: this.name, file: this.file, movedTo, problems, asideCopies: [movedTo] };
    this.log.error({ file: this.file, movedTo, problems: problems.slice(0, 10) }, 'store file is damaged: moved aside');
    this.hooks.damaged(this.damage);
    if (this.critical) {
      this.db.data = empty<T>();
      return;
    }
    this.log.warn({ file: this.file, kept: this.db.data.items.length }, 'store: keeping the well-formed documents of the damaged file');
    await this.adapter.writeText(JSON.stringify({ schemaVersion: this.db.data.schemaVersion, items: this.db.data.items }));
  }

  /** A critical file that is missing while a damaged copy of it lies beside it: the damage was never resolved. */
  private async checkUnresolvedDamage(): Promise<void> {
    const names = await readdir(path.dirname(this.file)).catch(() => [] as string[]);
    const asideCopies = names.filter((n) => isAsideOf(this.file, n)).sort().map((n) => path.join(path.dirname(this.file), n));
    if (!asideCopies.length) return;
    this.damage = { collection: this.name, file: this.file, problems: ['the file is missing and an earlier damaged copy was never restored'], asideCopies };
    this.hooks.damaged(this.damage);
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
    this.db.data.items.forEach((item, i) => this.index.set(item.id, i));
  }

  private get items(): T[] {
    return this.db.data.items;
  }

  async get(id: string): Promise<T | undefined> {
    await this.ready();
    const i = this.index.get(id);
    return i === undefined ? undefined : clone(this.items[i]);
  }

  async all(): Promise<T[]> {
    await this.ready();
    return clone(this.items);
  }

  /** Every document, insertion order, without copying: the documents are frozen (read-only) — for hot read paths. */
  async snapshot(): Promise<ReadonlyArray<Readonly<T>>> {
    await this.ready();
    return [...this.items];
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
    await this.commit();
    return { created: true, doc: clone(stored) };
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
    await this.commit();
    return clone(next);
  }

  async delete(id: string): Promise<boolean> {
    await this.ready();
    const i = this.index.get(id);
    if (i === undefined) return false;
    this.items.splice(i, 1);
    this.reindex();
    await this.commit();
    return true;
  }

  async deleteWhere(predicate: (doc: T) => boolean): Promise<number> {
    await this.ready();
    const before = this.items.length;
    this.db.data.items = this.items.filter((d) => !predicate(d));
    const removed = before - this.items.length;
    if (removed > 0) {
      this.reindex();
      await this.commit();
    }
    return removed;
  }

  async drop(): Promise<void> {
    await this.ready();
    await this.settle();
    this.db.data = empty<T>();
    this.index.clear();
    this.bytes = 0;
    await rm(this.file, { force: true });
  }

  // ───────────────────────────── cache ─────────────────────────────

  cacheCost(): number {
    return this.bytes + OVERHEAD_BYTES;
  }

  evictable(): boolean {
    return this.loaded && !this.critical && !this.dirty && !this.flushing && !this.flushScheduled && this.waiters.length === 0;
  }

  unload(): void {
    this.loaded = false;
    this.loading = undefined;
    this.db.data = empty<T>();
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
    this.waiters = [];
    this.dirty = false;
    const text = this.serialize();
    this.bytes = text.length;
    this.flushing = this.adapter.writeText(text);
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

  /**
   * The file's text. Stored documents are frozen, so each one's JSON is computed once and reused by every later write
   * of the file: a write costs one stringify of what changed plus a string join, not a stringify of everything.
   */
  private serialize(): string {
    const parts = this.db.data.items.map((item) => {
      let json = serialized.get(item);
      if (json === undefined) {
        json = JSON.stringify(item);
        serialized.set(item, json);
      }
      return json;
    });
    return `{"schemaVersion":${this.db.data.schemaVersion},"items":[${parts.join(',')}]}`;
  }

  /** Wait for pending writes (shutdown). */
  async settle(): Promise<void> {
    while (this.flushing || this.flushScheduled) {
      await (this.flushing ?? new Promise((r) => setImmediate(r))).catch(() => {});
    }
  }
}
