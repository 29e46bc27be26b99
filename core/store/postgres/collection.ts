/**
 * One collection (or one partition) on PostgreSQL: the rows of `store_documents` with one (collection, owner, part).
 *
 * Nothing is cached: every read asks the database, so a document changed by another instance is never read stale.
 * Every write is one autocommitted statement, or one transaction, that has COMMITTED before the promise resolves.
 * A functional update or a `deleteWhere` reads the rows `FOR UPDATE` in a transaction, so two instances updating one
 * document queue behind each other's row lock instead of one overwriting the other.
 */
import type pg from 'pg';
import type { Collection, CreateResult, Doc } from '../../plugin-api/types.ts';
import { inTransaction } from '../../db/pool.ts';
import { conflict } from '../../errors.ts';
import { KeyedSerialQueue } from '../../plugin-api/serial.ts';
import { deepFreeze } from '../freeze.ts';
import { SQL, updatedAtOf } from './sql.ts';

/** Where a collection's rows are. */
export interface RowKey {
  collection: string;
  owner: string;
  part: string;
}

/** The JSON text stored and the document as it will read back (JSON drops `undefined`, turns dates into strings). */
function encode<T>(doc: T): { json: string; stored: T } {
  const json = JSON.stringify(doc);
  return { json, stored: JSON.parse(json) as T };
}

/**
 * New rows take their place in a collection's order (`seq`) when their INSERT runs. Two inserts in flight at once on
 * two pool connections may run in either order, so inserts into one collection or partition are queued per instance:
 * a turn that saves its user message and its answer together reads back in that order.
 */
const insertOrder = new KeyedSerialQueue();

export class PgCollection<T extends Doc> implements Collection<T> {
  private readonly key: [string, string, string];

  /**
   * `written` announces a committed write (the store's joined reads of the owner are dropped on every instance); a
   * write resolves only after it, so what it acknowledged is what every instance answers next.
   */
  constructor(
    private readonly pool: pg.Pool,
    where: RowKey,
    private readonly track: <R>(work: Promise<R>) => Promise<R>,
    private readonly written: () => Promise<void> = async () => undefined,
  ) {
    this.key = [where.collection, where.owner, where.part];
  }

  /** A write: tracked (the store settles it before closing) and announced once committed. */
  private write<R>(work: Promise<R>): Promise<R> {
    return this.track(work.then(async (result) => (await this.written(), result)));
  }

  private async rows(q: { name: string; text: string }, extra: unknown[] = [], client: pg.Pool | pg.PoolClient = this.pool) {
    return (await client.query({ ...q, values: [...this.key, ...extra] })).rows;
  }

  async get(id: string): Promise<T | undefined> {
    const [row] = await this.rows(SQL.get, [id]);
    return row?.doc;
  }

  async all(): Promise<T[]> {
    return (await this.rows(SQL.all)).map((r) => r.doc);
  }

  async snapshot(): Promise<ReadonlyArray<Readonly<T>>> {
    // Freshly parsed rows belong to nobody else: freezing them keeps the contract (read-only) without a copy.
    return (await this.rows(SQL.all)).map((r) => deepFreeze(r.doc));
  }

  async find(predicate: (doc: T) => boolean): Promise<T[]> {
    return (await this.all()).filter(predicate);
  }

  async count(): Promise<number> {
    const [row] = await this.rows(SQL.count);
    return row.n;
  }

  /** `INSERT … ON CONFLICT DO NOTHING`: of concurrent calls with one id (on any instance) exactly one creates. */
  createIfAbsent(doc: T): Promise<CreateResult<T>> {
    return this.write(insertOrder.run(this.key.join('\u0000'), () => this.createOrRead(doc)));
  }

  private async createOrRead(doc: T): Promise<CreateResult<T>> {
    const { json, stored } = encode(doc);
    for (;;) {
      const inserted = await this.rows(SQL.insertIfAbsent, [doc.id, updatedAtOf(doc), json]);
      if (inserted.length) return { created: true, doc: stored };
      const existing = await this.get(doc.id);
      if (existing) return { created: false, existing };
      // Deleted between the two statements: try again (the insert may now win).
    }
  }

  async insert(doc: T): Promise<T> {
    const result = await this.createIfAbsent(doc);
    if (!result.created) throw conflict(`An object with id "${doc.id}" already exists`, 'ALREADY_EXISTS');
    return result.doc;
  }

  put(doc: T): Promise<T> {
    const { json, stored } = encode(doc);
    return this.write(insertOrder.run(this.key.join('\u0000'), () => this.rows(SQL.upsert, [doc.id, updatedAtOf(doc), json])).then(() => stored));
  }

  update(id: string, patch: Partial<T> | ((doc: T) => T)): Promise<T | undefined> {
    return this.write(
      inTransaction(this.pool, async (client) => {
        const [row] = await this.rows(SQL.getForUpdate, [id], client);
        if (!row) return undefined;
        const current = row.doc as T;
        const next = typeof patch === 'function' ? patch(current) : { ...current, ...patch };
        const { json, stored } = encode({ ...next, id }); // the row's id is its key: a function cannot move it
        await this.rows(SQL.replace, [id, updatedAtOf(stored), json], client);
        return stored;
      }),
    );
  }

  delete(id: string): Promise<boolean> {
    return this.write(
      this.pool.query({ ...SQL.delete, values: [...this.key, id] }).then((r) => (r.rowCount ?? 0) > 0),
    );
  }

  deleteWhere(predicate: (doc: T) => boolean): Promise<number> {
    return this.write(
      inTransaction(this.pool, async (client) => {
        const ids = (await this.rows(SQL.allForUpdate, [], client)).filter((r) => predicate(r.doc)).map((r) => r.id as string);
        if (!ids.length) return 0;
        const result = await client.query({ ...SQL.deleteMany, values: [...this.key, ids] });
        return result.rowCount ?? 0;
      }),
    );
  }

  async drop(): Promise<void> {
    await this.write(this.rows(SQL.drop));
  }
}
