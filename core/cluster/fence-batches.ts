/**
 * Group commit for change notices: while one notice of a topic is on its way to the database, the keys changed
 * meanwhile gather into the next one. At rest a change is announced at once (no added wait); under a burst of writes
 * (every message saved announces its owner) one notice carries many keys, so the notices a burst costs stay few.
 *
 * A batched notice names its first key as `key` and the rest as `more`: an instance of an older release, which reads
 * only `key`, caches nothing of a batched topic, so it loses nothing (and still acknowledges).
 */

/** Sends one notice for `keys`; calls `sent` once its statement has returned (or failed); resolves after the wait. */
export type AnnounceMany = (topic: string, keys: string[], sent: () => void) => Promise<void>;

/** The keys of one notice stay well under the bus's 1 KB payload (ids are ≤ 128 characters: see core/store/names.ts). */
const MAX_KEY_CHARS = 600;

class Batch {
  readonly keys = new Set<string>();
  chars = 0;
  /** Settles as the notice's wait does. */
  readonly done: Promise<void>;
  settle!: (work: Promise<void>) => void;

  constructor() {
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = (work) => void work.then(resolve, reject);
    });
  }

  fits(key: string): boolean {
    return this.keys.has(key) || this.keys.size === 0 || this.chars + key.length <= MAX_KEY_CHARS;
  }

  add(key: string): void {
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.chars += key.length + 3;
  }
}

export class ChangeBatches {
  /** Per topic: the batch gathering keys, and whether a notice's statement is in flight. */
  private readonly gathering = new Map<string, Batch[]>();
  private readonly inFlight = new Set<string>();

  constructor(private readonly announce: AnnounceMany) {}

  /** Resolves when the notice that carries `key` has been acknowledged (see PgFence.changed). */
  add(topic: string, key: string): Promise<void> {
    let queue = this.gathering.get(topic);
    if (!queue) this.gathering.set(topic, (queue = []));
    let batch = queue.at(-1);
    if (!batch || !batch.fits(key)) queue.push((batch = new Batch()));
    batch.add(key);
    this.next(topic);
    return batch.done;
  }

  private next(topic: string): void {
    if (this.inFlight.has(topic)) return;
    const queue = this.gathering.get(topic);
    const batch = queue?.shift();
    if (!batch) {
      this.gathering.delete(topic);
      return;
    }
    this.inFlight.add(topic);
    let released = false;
    const sent = () => {
      if (released) return;
      released = true;
      this.inFlight.delete(topic);
      this.next(topic);
    };
    const work = this.announce(topic, [...batch.keys], sent);
    work.then(sent, sent); // a notice that failed before its statement must not hold the next one back
    batch.settle(work);
  }
}
