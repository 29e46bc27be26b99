/**
 * Running tasks one at a time: the one promise-chain serialiser of the code base (read-modify-write of a file, one bot
 * operation after the other, one update per key). A task starts after the previous one settled, whether it
 * succeeded or failed, and its own result (or error) goes to its caller only.
 *
 * @example
 * ```ts
 * const writes = new SerialQueue();
 * await writes.run(async () => save(await load()));
 * ```
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => {});
    return result;
  }
}

/** One `SerialQueue` per key (a user, a memory id); a key's chain is dropped once it is idle, so keys do not pile up. */
export class KeyedSerialQueue {
  private tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => T | Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(task, task);
    const tail = result.catch(() => {});
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or waiting. */
  get size(): number {
    return this.tails.size;
  }
}
