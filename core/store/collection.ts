/**
 * One collection = one lowdb JSON file `{ schemaVersion, items: [...] }`.
 *
 * Writes are coalesced: every mutation made in the same tick (and while a write is on its way) goes to disk in one
 * durable write, and each mutation's promise resolves only after the write that contains it has been fsynced. Writes
 * of one file never overlap.
 */
import { rename } from 'node:fs/promises';
import { rm } from 'node:fs/promises';
import { Low } from 'lowdb';
import type { Logger } from 'pino';
import type { Collection, Doc } from '../plugin-api/types.ts';
import { conflict } from '../errors.ts';
import { CorruptFileError, DurableJSONFile } from './durable-file.ts';
import { migrate, SCHEMA_VERSION } from './migrations.ts';

interface FileShape<T> {
  schemaVersion: number;
  items: T[];
}

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

export class FileCollection<T extends Doc> implements Collection<T> {
  private db: Low<FileShape<T>>;
  private adapter: DurableJSONFile<FileShape<T>>;
  private index = new Map<string, number>();
  private loading: Promise<void> | undefined;
  private dirty = false;
  private flushing: Promise<void> | undefined;
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private flushScheduled = false;

  constructor(
    readonly name: string,
    readonly file: string,
    private readonly log: Logger,
    private readonly onCorrupt: (file: string, movedTo: string) => void,
  ) {
    this.adapter = new DurableJSONFile<FileShape<T>>(file);
    this.db = new Low(this.adapter, { schemaVersion: SCHEMA_VERSION, items: [] });
  }

  /** Load from disk once. A corrupt file is moved aside (never silently emptied) and reported. */
  load(): Promise<void> {
    this.loading ??= (async () => {
      try {
        await this.db.read();
      } catch (error) {
        if (!(error instanceof CorruptFileError)) throw error;
        const movedTo = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        await rename(this.file, movedTo);
        this.log.error({ file: this.file, movedTo }, 'store file is corrupt: moved aside, starting this collection empty');
        this.onCorrupt(this.file, movedTo);
        this.db.data = { schemaVersion: SCHEMA_VERSION, items: [] };
      }
      const data = this.db.data;
      if (!data || !Array.isArray(data.items)) this.db.data = { schemaVersion: SCHEMA_VERSION, items: [] };
      const before = this.db.data.schemaVersion ?? 0;
      if (before < SCHEMA_VERSION) {
        this.db.data = migrate(this.name, this.db.data);
        this.dirty = true;
      }
      for (const item of this.db.data.items) deepFreeze(item);
      this.reindex();
    })();
    return this.loading;
  }

  private reindex(): void {
    this.index.clear();
    this.db.data.items.forEach((item, i) => this.index.set(item.id, i));
  }

  private get items(): T[] {
    return this.db.data.items;
  }

  async get(id: string): Promise<T | undefined> {
    await this.load();
    const i = this.index.get(id);
    return i === undefined ? undefined : clone(this.items[i]);
  }

  async all(): Promise<T[]> {
    await this.load();
    return clone(this.items);
  }

  /** Every document, insertion order, without copying: the documents are frozen (read-only) — for hot read paths. */
  async snapshot(): Promise<ReadonlyArray<Readonly<T>>> {
    await this.load();
    return [...this.items];
  }

  async find(predicate: (doc: T) => boolean): Promise<T[]> {
    await this.load();
    return clone(this.items.filter(predicate));
  }

  async count(): Promise<number> {
    await this.load();
    return this.items.length;
  }

  async insert(doc: T): Promise<T> {
    await this.load();
    if (this.index.has(doc.id)) throw conflict(`An object with id "${doc.id}" already exists`, 'ALREADY_EXISTS');
    const stored = deepFreeze(clone(doc));
    this.index.set(stored.id, this.items.push(stored) - 1);
    await this.commit();
    return clone(stored);
  }

  async put(doc: T): Promise<T> {
    await this.load();
    const stored = deepFreeze(clone(doc));
    const i = this.index.get(doc.id);
    if (i === undefined) this.index.set(stored.id, this.items.push(stored) - 1);
    else this.items[i] = stored;
    await this.commit();
    return clone(stored);
  }

  async update(id: string, patch: Partial<T> | ((doc: T) => T)): Promise<T | undefined> {
    await this.load();
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
    await this.load();
    const i = this.index.get(id);
    if (i === undefined) return false;
    this.items.splice(i, 1);
    this.reindex();
    await this.commit();
    return true;
  }

  async deleteWhere(predicate: (doc: T) => boolean): Promise<number> {
    await this.load();
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
    await this.load();
    await this.flushing?.catch(() => {});
    this.db.data.items = [];
    this.index.clear();
    await rm(this.file, { force: true });
  }

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
    this.flushing = this.adapter.writeText(this.serialize());
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
    }
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
