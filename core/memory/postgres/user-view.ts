/**
 * One user's memories as this instance holds them: the same in-process view the lowdb driver searches (entries,
 * full-text index, vector index), plus the table version it reflects. Changes to the view run one at a time
 * (`run`); `fresh` makes sure the view has caught up with every write committed before it was called.
 */
import type { MemoryEntry } from '../../plugin-api/types.ts';
import type { UserView } from '../search.ts';
import { TextIndex } from '../text-index.ts';
import type { VectorIndex } from '../vector-index.ts';

export class PgUserView implements UserView {
  entries = new Map<string, MemoryEntry>();
  text = new TextIndex();
  vectors: VectorIndex | null;
  /** The memory_users version the view reflects; -1 before the first load. */
  version = -1;
  /** The embedder whose vectors `vectors` holds (null: to be loaded). */
  vectorsFor: string | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private queuedCheck: Promise<void> | null = null;

  constructor(
    readonly userId: string,
    vectors: VectorIndex | null,
    private readonly check: (view: PgUserView) => Promise<void>,
  ) {
    this.vectors = vectors;
  }

  /** Run `fn` after every earlier change of this view. */
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /**
   * Catch up with the table. Callers that arrive while a check is queued but not yet started share it: it starts
   * after they called, so it sees every write acknowledged before their call. A check already running may not.
   */
  fresh(): Promise<void> {
    if (this.queuedCheck) return this.queuedCheck;
    const queued = this.run(async () => {
      if (this.queuedCheck === queued) this.queuedCheck = null;
      await this.check(this);
    });
    this.queuedCheck = queued;
    return queued;
  }

  /** Put an entry into the view (vector: by the view's embedder, or none). */
  apply(entry: MemoryEntry, vector: Float32Array | null): void {
    this.entries.set(entry.id, entry);
    this.text.set(entry);
    if (vector && this.vectors && entry.embedder === this.vectors.embedder && vector.length === this.vectors.dims) this.vectors.set(entry.id, vector);
    else this.vectors?.delete(entry.id);
  }

  forget(id: string): void {
    this.entries.delete(id);
    this.text.delete(id);
    this.vectors?.delete(id);
  }

  /** Empty the view (clear, full reload). */
  reset(vectors: VectorIndex | null): void {
    this.entries = new Map();
    this.text = new TextIndex();
    this.vectors?.close();
    this.vectors = vectors;
  }
}
