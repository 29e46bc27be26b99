/**
 * The change fence: lets an instance answer from memory what other instances may change (an account's token version),
 * without a window in which a revocation acknowledged on A is not yet in force on B.
 *
 * The guarantee rests on one property of LISTEN/NOTIFY: a listening session receives notices in commit order. So
 * - every instance sends itself a ping on its own LISTEN session every PING_MS and notes when each was SENT; hearing
 *   its ping sent at `s` proves it has heard (and, handlers being synchronous, applied) every notice committed before
 *   `s`. Its fenced caches answer only while the latest ping heard was sent less than TRUST_MS ago — with the
 *   connection down, lagging or just re-established (everything is dropped then) they answer nothing: fail closed.
 * - a change (committed first) is announced with a nonce; each instance drops the key on hearing it and acknowledges.
 *   The announcer waits for its own notice to come back (then it has heard every ping committed before it, so it knows
 *   every instance that may be trusting a cache: those heard within LIVE_MS) and for their acknowledgements — at most
 *   until TRUST_MS after the notice committed: by then an instance that did not hear it has no ping young enough left
 *   (a ping sent later is committed later, so heard after the notice) and reads the database.
 * Times are each process's monotonic clock; no two clocks are compared.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import { FencedCache } from './fenced-cache.ts';
import { BUS_CHANNEL, busMessage } from './pg-bus.ts';
import type { PgSession } from './pg-session.ts';
import { FENCE_ACK, FENCE_CHANGE, FENCE_PING } from './topics.ts';
import type { Bus, BusMeta, BusPayload, ChangeFence } from './types.ts';

const PING_MS = 250;
const TRUST_MS = 1_500;
const LIVE_MS = 2 * TRUST_MS;
const CACHE = { maxEntries: 10_000, maxAgeMs: 5_000 };

/** One announced change: its notice heard back, and who acknowledged it. */
class PendingChange {
  private echoed = false;
  private readonly acks = new Set<string>();
  private wake: () => void = () => undefined;

  heardBack(): void {
    this.echoed = true;
    this.wake();
  }

  acknowledged(by: string): void {
    this.acks.add(by);
    this.wake();
  }

  /** Resolves when `done()` holds or at `deadline` (monotonic ms); true when it held. */
  async until(done: () => boolean, deadline: number): Promise<boolean> {
    while (!done()) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => (clearTimeout(timer), resolve());
      });
    }
    return true;
  }

  isEchoed = () => this.echoed;
  ackedBy = (ids: string[]) => () => ids.every((id) => this.acks.has(id));
}

export class PgFence implements ChangeFence {
  private readonly caches = new Map<string, Set<FencedCache<unknown>>>();
  private readonly pending = new Map<string, PendingChange>();
  /** Other instances, and when this one last heard from them. */
  private readonly peers = new Map<string, number>();
  /** Own pings in flight on the current connection: number → when sent. */
  private readonly pings = new Map<number, number>();
  private seq = 0;
  private epoch = 0;
  private listening = false;
  /** When the latest own ping heard was sent (undefined: none since the connection came up). */
  private confirmedSentAt: number | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pool: pg.Pool, private readonly session: PgSession, bus: Bus, private readonly instanceId: string, private readonly log: Logger) {
    session.on('lost', () => this.reset());
    session.on('connected', (client) => void this.listen(client));
    bus.subscribe(FENCE_PING, (p, meta) => this.onPing(p, meta));
    bus.subscribe(FENCE_CHANGE, (p, meta) => this.onChange(p, meta));
    bus.subscribe(FENCE_ACK, (p, meta) => this.onAck(p, meta));
    this.timer = setInterval(() => this.ping(), PING_MS);
    this.timer.unref();
  }

  trusted(): boolean {
    return this.listening && this.confirmedSentAt !== undefined && performance.now() - this.confirmedSentAt < TRUST_MS;
  }

  cache<V>(topic: string): FencedCache<V> {
    const cache = new FencedCache<V>(this, CACHE);
    let set = this.caches.get(topic);
    if (!set) this.caches.set(topic, (set = new Set()));
    set.add(cache as FencedCache<unknown>);
    return cache;
  }

  async changed(topic: string, key: string): Promise<void> {
    this.forget(topic, key);
    const nonce = randomUUID();
    const change = new PendingChange();
    this.pending.set(nonce, change);
    try {
      // Through the pool, not the session: the notice must go out even while this instance's session is down.
      await this.pool.query('SELECT pg_notify($1, $2)', [BUS_CHANNEL, busMessage(FENCE_CHANGE, this.instanceId, { topic, key, nonce })]);
      const deadline = performance.now() + TRUST_MS;
      if (!(await change.until(change.isEchoed, deadline))) return;
      const now = performance.now();
      const live = [...this.peers].filter(([, heardAt]) => now - heardAt < LIVE_MS).map(([id]) => id);
      if (!(await change.until(change.ackedBy(live), deadline))) this.log.warn({ topic }, 'cluster: an instance did not acknowledge a change; waited until its cache lapsed');
    } finally {
      this.pending.delete(nonce);
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.reset();
  }

  private forget(topic: string, key: string): void {
    for (const cache of this.caches.get(topic) ?? []) cache.forget(key);
  }

  /** Notices may have been missed: trust nothing held, and nothing confirmed on the old connection. */
  private reset(): void {
    this.epoch++;
    this.listening = false;
    this.confirmedSentAt = undefined;
    this.pings.clear();
    for (const set of this.caches.values()) for (const cache of set) cache.clear();
  }

  private async listen(client: pg.Client): Promise<void> {
    this.reset();
    const epoch = this.epoch;
    try {
      await client.query(`LISTEN ${BUS_CHANNEL}`);
    } catch {
      return; // the session notices the broken connection and reconnects
    }
    if (epoch !== this.epoch) return;
    this.listening = true;
    this.ping();
  }

  /** On the session itself: a ping that cannot go out on the LISTEN connection proves nothing. */
  private send(topic: string, payload: BusPayload): void {
    const client = this.session.current();
    client?.query('SELECT pg_notify($1, $2)', [BUS_CHANNEL, busMessage(topic, this.instanceId, payload)]).catch(() => undefined);
  }

  private ping(): void {
    const now = performance.now();
    for (const [n, sentAt] of this.pings) if (now - sentAt >= TRUST_MS) this.pings.delete(n); // unheard: proves nothing now
    for (const [id, heardAt] of this.peers) if (now - heardAt >= LIVE_MS) this.peers.delete(id);
    if (!this.listening) return;
    const n = ++this.seq;
    this.pings.set(n, performance.now()); // before sending: the ping commits after this moment
    this.send(FENCE_PING, { n });
  }

  private onPing(p: BusPayload, meta: BusMeta): void {
    if (!meta.fromSelf) {
      this.peers.set(meta.from, performance.now());
      return;
    }
    const sentAt = typeof p.n === 'number' ? this.pings.get(p.n) : undefined;
    if (sentAt === undefined) return; // sent on an earlier connection
    for (const n of this.pings.keys()) if (n <= (p.n as number)) this.pings.delete(n);
    this.confirmedSentAt = Math.max(this.confirmedSentAt ?? 0, sentAt);
  }

  private onChange(p: BusPayload, meta: BusMeta): void {
    if (typeof p.topic !== 'string' || typeof p.key !== 'string' || typeof p.nonce !== 'string') return;
    this.forget(p.topic, p.key);
    if (meta.fromSelf) return this.pending.get(p.nonce)?.heardBack();
    this.peers.set(meta.from, performance.now());
    this.send(FENCE_ACK, { nonce: p.nonce, to: meta.from });
  }

  private onAck(p: BusPayload, meta: BusMeta): void {
    if (p.to === this.instanceId && typeof p.nonce === 'string') this.pending.get(p.nonce)?.acknowledged(meta.from);
  }
}
