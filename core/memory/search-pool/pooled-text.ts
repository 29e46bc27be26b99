/**
 * A full-text index that lives in the search workers: this side keeps only the entries it was given (references, for
 * the snapshot a replacement worker needs and for `size`), and sends every change to every worker in order.
 */
import type { MemoryEntry } from '../../plugin-api/types.ts';
import type { SearchPool } from './pool.ts';
import { searchEntry, type ChangeOp } from './protocol.ts';

export class PooledText {
  readonly handle: number;
  private readonly entries = new Map<string, MemoryEntry>();
  private ready: Promise<void> = Promise.resolve();
  private building = false;

  constructor(readonly pool: SearchPool) {
    const snapshot = (): ChangeOp[] => [this.buildOp(null, 0)];
    this.handle = pool.register(this, snapshot, (text) => ({ op: 'text-drop', text }));
  }

  set(entry: MemoryEntry): void {
    this.entries.set(entry.id, entry);
    this.pool.broadcast({ op: 'text-put', text: this.handle, entry: searchEntry(entry) });
  }

  delete(id: string): void {
    if (!this.entries.delete(id)) return;
    this.pool.broadcast({ op: 'text-del', text: this.handle, id });
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get size(): number {
    return this.entries.size;
  }

  get isBuilding(): boolean {
    return this.building;
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Every worker loads `snapshot` when it holds exactly these entries, else builds; answers what worker 1 did. */
  restoreOrBuild(snapshot: Uint8Array | null, ids: readonly string[], current: (id: string) => MemoryEntry | undefined): Promise<'restored' | 'built'> {
    for (const id of ids) {
      const e = current(id);
      if (e) this.entries.set(e.id, e);
    }
    this.building = true;
    const job = this.pool.broadcastAndWait((req) => this.buildOp(snapshot, req)).then((answer) => ('built' in answer ? answer.built : 'built'));
    this.ready = job.then(
      () => void (this.building = false),
      () => void (this.building = false),
    );
    return job;
  }

  /** The index as a binary snapshot (`text-snapshot.ts`, from one worker). */
  async serialize(): Promise<Uint8Array | null> {
    const answer = await this.pool.request((req) => ({ op: 'text-snapshot', req, text: this.handle }));
    if (!('snapshot' in answer)) throw new Error('unexpected answer');
    return answer.snapshot;
  }

  /** Release the workers' copy now (otherwise done when this object is collected). */
  dispose(): void {
    this.pool.release(this, { op: 'text-drop', text: this.handle });
  }

  private buildOp(snapshot: Uint8Array | null, req: number): ChangeOp {
    return { op: 'text-build', text: this.handle, snapshot, entries: [...this.entries.values()].map(searchEntry), req };
  }
}
