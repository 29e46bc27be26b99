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
 * - an instance introduces itself before its caches answer (`hello`: a notice every live instance acknowledges), its
 *   caches keep only reads begun once trusted, and a gap in hearing its pings ends its trust until it introduces itself
 *   again. So an instance that hears everything and has heard no other instance lately is alone: nobody can be
 *   answering a value it changes, and its change needs no notice (a single instance's writes cost nothing extra).
 * - what an instance knows of the others is complete once it has heard from every instance whose session was connected
 *   as its LISTEN began (pings carry their session's backend id; later instances introduce themselves, heard here),
 *   or after LIVE_MS of listening. Until then it is never alone, and an announcement also waits for as many
 *   acknowledgements as there were other sessions.
 * Times are each process's monotonic clock; no two clocks are compared.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import { FencedCache } from './fenced-cache.ts';
import { FencedGroups, type FencedGroupsOptions } from './fenced-groups.ts';
import { PendingChange } from './fence-pending.ts';
import { BUS_CHANNEL, busMessage } from './pg-bus.ts';
import type { PgSession } from './pg-session.ts';
import { FENCE_ACK, FENCE_CHANGE, FENCE_PING } from './topics.ts';
import type { Bus, BusMeta, BusPayload, ChangeFence } from './types.ts';

const PING_MS = 250;
/** The topic of an instance's introduction (its key is the instance's id; no cache holds it). */
const FENCE_HELLO = 'fence.hello';
const TRUST_MS = 1_500;
/**
 * An instance heard within this long counts as live. One that trusts its caches the whole time has its pings committed
 * less than TRUST_MS apart and heard by a trusted listener less than TRUST_MS after: under 2 × TRUST_MS, plus slack.
 */
const LIVE_MS = 2 * TRUST_MS + 1_000;
const CACHE = { maxEntries: 10_000, maxAgeMs: 5_000 };

/** Other instances' cluster sessions on this database (each instance holds one; see pg-session.ts). */
const OTHER_SESSIONS = `SELECT pg_backend_pid() AS me, coalesce(array_agg(pid), '{}') AS others FROM pg_stat_activity
  WHERE datname = current_database() AND application_name = 'aion-cluster' AND pid <> pg_backend_pid()`;

/** What the fence drops entries from as notices arrive. */
interface FencedSink {
  forget(key: string): void;
  clear(): void;
}

export class PgFence implements ChangeFence {
  private readonly caches = new Map<string, Set<FencedSink>>();
  /** The caches answered only while alone (see soloCache). */
  private readonly solo = new Set<FencedSink>();
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
  /** This instance made itself known to every trusting instance since its trust last began (see `hello`). */
  private introduced = false;
  private introducing = false;
  /** Moves on whenever trust lapses: an introduction that began before does not count. */
  private era = 0;
  /** When LISTEN began on the current connection, and how many other instances' sessions were connected then. */
  private listenedAt = 0;
  private othersAtListen = Number.POSITIVE_INFINITY;
  /** Those sessions' backend ids not heard from yet (each instance's pings carry its own), and this session's. */
  private unheardSessions = new Set<number>();
  private sessionPid: number | undefined;
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
    return this.introduced && this.hearsEverything();
  }

  /** This instance has heard every notice committed until less than TRUST_MS ago. */
  private hearsEverything(): boolean {
    return this.listening && this.confirmedSentAt !== undefined && performance.now() - this.confirmedSentAt < TRUST_MS;
  }

  /**
   * Nobody else can be answering what `key` was: this instance hears everything (so it has heard every instance that
   * may trust a cache — each introduces itself before it does, see `hello`) and has heard no other instance lately.
   * A lone instance's writes then cost no notice at all.
   */
  private alone(): boolean {
    return this.hearsEverything() && this.knowsEveryone() && this.livePeers().length === 0;
  }

  /** The other instances heard within LIVE_MS. */
  private livePeers(now = performance.now()): string[] {
    const live: string[] = [];
    for (const [id, heardAt] of this.peers) if (now - heardAt < LIVE_MS) live.push(id);
    return live;
  }

  /**
   * Every instance that may trust a cache is among `peers`: each instance whose session was connected when LISTEN
   * began has been heard since (any later one introduces itself, heard here), or LISTEN has run for LIVE_MS (each
   * trusting instance pings, so it has been heard since).
   */
  private knowsEveryone(): boolean {
    if (!this.listening) return false;
    return (this.othersAtListen !== Number.POSITIVE_INFINITY && this.unheardSessions.size === 0) || performance.now() - this.listenedAt >= LIVE_MS;
  }

  cache<V>(topic: string): FencedCache<V> {
    return this.register(topic, new FencedCache<V>(this, CACHE));
  }

  /**
   * A cache answered only while this instance is alone (and trusted): with other instances about it answers nothing,
   * so their changes need no acknowledgement from it; it is emptied whenever another instance is first heard.
   */
  soloCache<V>(topic: string, options: FencedGroupsOptions): FencedGroups<V> {
    const cache = new FencedGroups<V>({ trusted: () => this.trusted() && this.alone() }, options);
    this.solo.add(cache);
    return this.register(topic, cache);
  }

  async changed(topic: string, key: string): Promise<void> {
    this.forget(topic, key);
    if (!this.alone()) await this.announce(topic, key);
  }

  /**
   * A change to what solo caches hold. While this instance is trusted and knows every other instance, each of them
   * has heard of it (its introduction) and hears its pings, so none is alone and none answers a solo cache: nothing
   * to announce. Otherwise (starting, after a gap) it is announced and acknowledged like any change.
   */
  async soloChanged(topic: string, key: string): Promise<void> {
    this.forget(topic, key);
    if (!(this.trusted() && this.knowsEveryone())) await this.announce(topic, key);
  }

  private register<C extends FencedSink>(topic: string, cache: C): C {
    let set = this.caches.get(topic);
    if (!set) this.caches.set(topic, (set = new Set()));
    set.add(cache);
    return cache;
  }

  /** The notice of a change to `key`, then the wait for it to come back and be acknowledged (see the header). */
  private async announce(topic: string, key: string): Promise<boolean> {
    const nonce = randomUUID();
    const change = new PendingChange();
    this.pending.set(nonce, change);
    try {
      // Through the pool, not the session: the notice must go out even while this instance's session is down.
      await this.pool.query('SELECT pg_notify($1, $2)', [BUS_CHANNEL, busMessage(FENCE_CHANGE, this.instanceId, { topic, key, nonce })]);
      const deadline = performance.now() + TRUST_MS;
      if (!(await change.until(change.isEchoed, deadline))) return false;
      const live = this.livePeers();
      // Not yet sure every instance is among `peers`: also wait for as many as were connected when LISTEN began.
      const atLeast = this.knowsEveryone() ? 0 : this.othersAtListen;
      if (!(await change.until(change.ackedBy(live, atLeast), deadline))) this.log.warn({ topic }, 'cluster: an instance did not acknowledge a change; waited until its cache lapsed');
      return true;
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
    this.lapse();
  }

  /** Trust ended (or never began): nothing held is answered again, and trust begins anew with an introduction. */
  private lapse(): void {
    this.era++;
    this.introduced = false;
    for (const set of this.caches.values()) for (const cache of set) cache.clear();
  }

  /**
   * Before its caches answer anything, an instance introduces itself: a notice every other instance acknowledges
   * (or TRUST_MS passes, after which one that did not hear it is not trusted itself). Every instance that hears
   * everything has then heard of this one, so it announces its changes instead of deciding it is alone — and since
   * the caches keep only reads that started once trusted, nothing read before an unannounced change is kept.
   */
  private async hello(): Promise<void> {
    if (this.introducing) return;
    this.introducing = true;
    const era = this.era;
    try {
      const heard = await this.announce(FENCE_HELLO, this.instanceId);
      if (heard && era === this.era && this.hearsEverything()) this.introduced = true;
    } catch {
      // The pool failed: the next ping tries again.
    } finally {
      this.introducing = false;
    }
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
    this.listenedAt = performance.now();
    this.othersAtListen = Number.POSITIVE_INFINITY;
    this.unheardSessions = new Set();
    this.sessionPid = undefined;
    this.listening = true;
    try {
      const { rows } = await client.query(OTHER_SESSIONS);
      if (epoch !== this.epoch) return;
      this.sessionPid = rows[0].me;
      this.unheardSessions = new Set(rows[0].others);
      this.othersAtListen = this.unheardSessions.size;
    } catch {
      // unknown: peers are complete only once LISTEN has run for LIVE_MS
    }
    if (epoch === this.epoch) this.ping(); // after the query: the ping then carries this session's id
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
    this.send(FENCE_PING, this.sessionPid === undefined ? { n } : { n, s: this.sessionPid });
  }

  private onPing(p: BusPayload, meta: BusMeta): void {
    if (!meta.fromSelf) {
      if (typeof p.s === 'number') this.unheardSessions.delete(p.s);
      return this.heardFrom(meta.from);
    }
    const sentAt = typeof p.n === 'number' ? this.pings.get(p.n) : undefined;
    if (sentAt === undefined) return; // sent on an earlier connection
    for (const n of this.pings.keys()) if (n <= (p.n as number)) this.pings.delete(n);
    // A gap in hearing ends trust for good: held values may have missed an unannounced change meanwhile.
    if (this.confirmedSentAt !== undefined && performance.now() - this.confirmedSentAt >= TRUST_MS) this.lapse();
    this.confirmedSentAt = Math.max(this.confirmedSentAt ?? 0, sentAt);
    if (!this.introduced) void this.hello();
  }

  private onChange(p: BusPayload, meta: BusMeta): void {
    if (typeof p.topic !== 'string' || typeof p.key !== 'string' || typeof p.nonce !== 'string') return;
    this.forget(p.topic, p.key);
    if (meta.fromSelf) return this.pending.get(p.nonce)?.heardBack();
    this.heardFrom(meta.from);
    this.send(FENCE_ACK, { nonce: p.nonce, to: meta.from });
  }

  /** Another instance is alive. If this one was alone until now, what it held while alone is dropped. */
  private heardFrom(id: string): void {
    const wasAlone = this.livePeers().length === 0;
    this.peers.set(id, performance.now());
    if (wasAlone) for (const cache of this.solo) cache.clear();
  }

  private onAck(p: BusPayload, meta: BusMeta): void {
    if (!meta.fromSelf) this.heardFrom(meta.from);
    if (p.to === this.instanceId && typeof p.nonce === 'string') this.pending.get(p.nonce)?.acknowledged(meta.from);
  }
}
