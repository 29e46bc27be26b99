/**
 * A cache of rows that other instances change (an account's token version, its disabled flag), answered from memory
 * only while the instance's change fence (see pg-fence.ts) vouches that every change notice committed until a moment
 * ago has been heard. Otherwise — the LISTEN connection down, behind, or never confirmed — it answers nothing and the
 * caller reads the database: the cache fails closed.
 *
 * Pure bookkeeping, no I/O: the fence calls `forget` (a notice for one key) and `clear` (the connection was lost or
 * came back: notices may have been missed) synchronously as notices arrive, before anything else can read.
 */

/** What a fenced cache asks of its fence. */
export interface FenceTrust {
  /** True while this instance has provably heard every change notice committed up to a moment ago. */
  trusted(): boolean;
}

interface Held<V> {
  value: V;
  /** When it was read (monotonic ms): entries are re-read after `maxAgeMs` even without a notice. */
  at: number;
}

export class FencedCache<V> {
  private readonly held = new Map<string, Held<V>>();
  /**
   * Moves on with every forget and clear. A read that started before a notice arrived may carry the old row; it is
   * then not kept (the reader still gets it: its request started before the change was acknowledged).
   */
  private generation = 0;
  /** Reads under way, each with the generation it started in. */
  private readonly reading = new Map<string, { generation: number; value: Promise<V | undefined> }>();

  constructor(
    private readonly trust: FenceTrust,
    private readonly options: { maxEntries: number; maxAgeMs: number },
  ) {}

  /** The held value when the fence vouches for it (and it is young enough), else undefined: read the database. */
  get(key: string): V | undefined {
    const held = this.held.get(key);
    if (!held || !this.trust.trusted()) return undefined;
    if (performance.now() - held.at > this.options.maxAgeMs) {
      this.held.delete(key);
      return undefined;
    }
    return held.value;
  }

  /**
   * Read through: the held value when vouched for, else `read()` — kept only if no notice arrived meanwhile.
   * Concurrent misses of one key share one read, but only a read that started after the latest notice.
   */
  load(key: string, read: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.get(key);
    if (hit !== undefined) return Promise.resolve(hit);
    const flying = this.reading.get(key);
    if (flying && flying.generation === this.generation) return flying.value;
    const generation = this.generation;
    const readAt = performance.now();
    // Kept only when trusted from start to end: a read begun before trust may predate a change nobody announced.
    const trustedAtStart = this.trust.trusted();
    const value = read().then((v) => {
      if (v !== undefined && trustedAtStart && generation === this.generation && this.trust.trusted()) this.keep(key, v, readAt);
      else if ((this.held.get(key)?.at ?? Infinity) <= readAt) this.held.delete(key); // held is older than this read
      return v;
    });
    const entry = { generation, value };
    this.reading.set(key, entry);
    const done = () => void (this.reading.get(key) === entry && this.reading.delete(key));
    value.then(done, done);
    return value;
  }

  /** A change notice for `key` (or this instance changed it): never answer the old value again. */
  forget(key: string): void {
    this.generation++;
    this.held.delete(key);
  }

  /** Notices may have been missed (connection lost or re-established): drop everything. */
  clear(): void {
    this.generation++;
    this.held.clear();
  }

  get size(): number {
    return this.held.size;
  }

  private keep(key: string, value: V, at: number): void {
    this.held.delete(key);
    if (this.held.size >= this.options.maxEntries) this.held.delete(this.held.keys().next().value!);
    this.held.set(key, { value, at });
  }
}
