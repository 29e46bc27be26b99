/**
 * A pool of worker threads that run memory searches, so concurrent searches run on other cores while the event
 * loop keeps serving. Each worker holds a replica of every full-text index (minisearch) and a view of every vector
 * index's shared rows; changes are broadcast to all workers in order, a search goes to the least busy worker.
 *
 * A worker that dies is replaced: the new one is first sent a snapshot of every live index (the owners keep what a
 * snapshot needs), then takes work like the others. Searches in flight on the dead worker fail with a 503.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { AppError } from '../../errors.ts';
import type { ChangeOp, FromWorker, RequestOp, ToWorker } from './protocol.ts';

/** What a live index re-sends to a replacement worker. */
export type Snapshot = () => ChangeOp[];

interface Pending {
  resolve: (answer: FromWorker) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  inFlight: Map<number, Pending>;
}

/** Workers restarted in a row without any answer in between: then the pool gives up (a broken install). */
const MAX_RESPAWNS = 3;

export class SearchPool {
  private readonly slots: Slot[] = [];
  private nextHandle = 1;
  private nextReq = 1;
  private respawns = 0;
  private closed = false;
  private readonly snapshots = new Map<number, WeakRef<Snapshot>>();
  private readonly dropper = new FinalizationRegistry<ChangeOp>((drop) => this.forgetHandle(drop));

  constructor(
    readonly size: number,
    private readonly log: Pick<Logger, 'warn' | 'error'>,
    private readonly script: URL = workerScript(),
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  /**
   * A handle for an index owned by `owner`. `snapshot` re-creates its state on a replacement worker; `drop` is sent
   * to every worker when the owner is collected (or `release` is called).
   */
  register(owner: object, snapshot: Snapshot, drop: (handle: number) => ChangeOp): number {
    const handle = this.nextHandle++;
    this.snapshots.set(handle, new WeakRef(snapshot));
    // The snapshot closure must live as long as the owner: keep it on the owner.
    (owner as { [SNAPSHOT]?: Snapshot })[SNAPSHOT] = snapshot;
    this.dropper.register(owner, drop(handle), owner);
    return handle;
  }

  /** The owner is done with its handle (explicit release; the collector does it otherwise). */
  release(owner: object, drop: ChangeOp): void {
    this.dropper.unregister(owner);
    this.forgetHandle(drop);
  }

  /** Send a change to every worker. */
  broadcast(op: ChangeOp): void {
    if (this.closed) return;
    for (const slot of this.slots) slot.worker.postMessage(op satisfies ToWorker);
  }

  /** Send a change that every worker answers (a build), resolving with the first worker's answer. */
  async broadcastAndWait(make: (req: number) => ChangeOp): Promise<FromWorker> {
    const answers = this.slots.map((slot) => this.ask(slot, make));
    const [first] = await Promise.all(answers);
    return first!;
  }

  /** A request answered by the least busy worker. */
  request(make: (req: number) => RequestOp): Promise<FromWorker> {
    let best = this.slots[0]!;
    for (const slot of this.slots) if (slot.inFlight.size < best.inFlight.size) best = slot;
    return this.ask(best, make);
  }

  /** Stop the workers (tests; a server's pool lives as long as the process). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private ask(slot: Slot, make: (req: number) => ToWorker): Promise<FromWorker> {
    if (this.closed) return Promise.reject(unavailable());
    const req = this.nextReq++;
    return new Promise((resolve, reject) => {
      slot.inFlight.set(req, { resolve, reject });
      // Keep the process alive while an answer is awaited (idle workers never hold it open).
      if (slot.inFlight.size === 1) slot.worker.ref();
      try {
        slot.worker.postMessage(make(req));
      } catch (error) {
        slot.inFlight.delete(req);
        reject(error);
      }
    });
  }

  private spawn(): Slot {
    const worker = new Worker(this.script, { name: 'aion-memory-search' });
    const slot: Slot = { worker, inFlight: new Map() };
    worker.on('message', (answer: FromWorker) => {
      const pending = slot.inFlight.get(answer.req);
      if (!pending) return;
      slot.inFlight.delete(answer.req);
      this.respawns = 0;
      if (slot.inFlight.size === 0) worker.unref();
      if (answer.ok) pending.resolve(answer);
      else {
        // The worker's message is for the log only (it may name internals); the caller gets a coded 503.
        this.log.error({ error: answer.error }, 'memory: a search worker could not answer');
        pending.reject(unavailable());
      }
    });
    worker.on('error', (error) => this.log.error({ err: error }, 'memory: a search worker failed'));
    worker.on('exit', () => this.replace(slot));
    // After the listeners (adding a 'message' listener refs the worker again): idle workers never hold the process.
    worker.unref();
    return slot;
  }

  /** A worker exited: fail its requests, start a replacement and bring it up to date. */
  private replace(dead: Slot): void {
    for (const pending of dead.inFlight.values()) pending.reject(unavailable());
    dead.inFlight.clear();
    const index = this.slots.indexOf(dead);
    if (this.closed || index < 0) return;
    if (++this.respawns > MAX_RESPAWNS) {
      this.log.error({}, 'memory: search workers keep failing; searches answer 503 until restart');
      this.closed = true;
      return;
    }
    const slot = this.spawn();
    this.slots[index] = slot;
    for (const ref of this.snapshots.values()) for (const op of ref.deref()?.() ?? []) slot.worker.postMessage(op);
  }

  private forgetHandle(drop: ChangeOp): void {
    const handle = 'text' in drop ? drop.text : 'vec' in drop ? drop.vec : 0;
    this.snapshots.delete(handle);
    this.broadcast(drop);
  }
}

const SNAPSHOT = Symbol('memory search snapshot');

function unavailable(): AppError {
  return new AppError(503, 'MEMORY_SEARCH_UNAVAILABLE', 'Memory search is unavailable');
}

/** The worker's script: the TypeScript source when running from source, the bundled file next to a bundle. */
function workerScript(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('./worker.ts', import.meta.url) : new URL('./memory-search-worker.mjs', import.meta.url);
}

/**
 * How many workers: `AION_MEMORY_SEARCH_WORKERS` when set (`auto` = cores − 1, at least 1; a number; 0 = the main
 * thread). Default 0: on the loaded 2-core machine the pool (one worker) once answered at 0.4× the main thread's rate
 * in process (10k memories); re-measured over HTTP after issue #16's fixes (20k memories, 0 / 1 / 2 workers, two runs
 * each) the three were within the run-to-run noise, and workers delay the first search at start (every entry is
 * copied to each of them), so it stays opt-in until it is measured faster.
 */
export function configuredWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.AION_MEMORY_SEARCH_WORKERS?.trim();
  if (raw === 'auto') return Math.max(1, availableParallelism() - 1);
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (Number.isInteger(n) && n >= 0 && n <= 64) return n;
  }
  return 0;
}

let shared: SearchPool | null | undefined;

/**
 * The process's pool (created on first use; `null` when configured off or when the worker script is missing, so
 * searches run on the main thread).
 */
export function defaultSearchPool(log: Pick<Logger, 'warn' | 'error'>): SearchPool | null {
  if (shared !== undefined) return shared;
  const size = configuredWorkers();
  const script = workerScript();
  if (size === 0) shared = null;
  else if (!existsSync(fileURLToPath(script))) {
    log.warn({ script: fileURLToPath(script) }, 'memory: search worker script missing; searching on the main thread');
    shared = null;
  } else shared = new SearchPool(size, log, script);
  return shared;
}
