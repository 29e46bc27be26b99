/**
 * Leadership over PostgreSQL session advisory locks, held on the instance's dedicated session: the lock of lease
 * `name` is (40, hashtext(name)). A candidate tries `pg_try_advisory_lock` every `LEASE_RETRY_MS` (default 1 s); the
 * server drops a session's locks when its connection ends, so a leader that dies (SIGKILL, lost network) is replaced
 * within about a second after PostgreSQL notices — at once for a closed socket, after TCP keepalive otherwise. A leader
 * whose own connection is lost steps down at once, before anyone else can take over.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { PgSession } from './pg-session.ts';
import type { Lease, LeaseHandlers, Leases } from './types.ts';

const LOCK_NAMESPACE = 40;

class PgLease implements Lease {
  heldOn: pg.Client | undefined;
  competing = true;
  private trying = false;

  constructor(readonly name: string, private readonly handlers: LeaseHandlers, private readonly owner: PgLeases) {}

  isLeader(): boolean {
    return this.heldOn !== undefined;
  }

  async attempt(client: pg.Client): Promise<void> {
    if (!this.competing || this.heldOn || this.trying || this.owner.heldLocally(this.name)) return;
    this.trying = true;
    try {
      const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [LOCK_NAMESPACE, this.name]);
      if (!r.rows[0]?.ok) return;
      if (!this.competing || this.owner.session.current() !== client) {
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_NAMESPACE, this.name]).catch(() => undefined);
        return;
      }
      this.heldOn = client;
      await this.owner.call(this.name, 'onLead', () => this.handlers.onLead());
    } catch {
      /* connection trouble: the session reconnects and we try again */
    } finally {
      this.trying = false;
    }
  }

  /** The connection that held the lock is gone: the server has released it already. */
  async lost(): Promise<void> {
    if (!this.heldOn) return;
    this.heldOn = undefined;
    await this.owner.call(this.name, 'onLose', () => this.handlers.onLose());
  }

  async release(): Promise<void> {
    this.competing = false;
    this.owner.forget(this);
    const client = this.heldOn;
    if (!client) return;
    this.heldOn = undefined;
    await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_NAMESPACE, this.name]).catch(() => undefined);
    await this.owner.call(this.name, 'onLose', () => this.handlers.onLose());
  }
}

export class PgLeases implements Leases {
  private readonly leases = new Set<PgLease>();
  private readonly timer: NodeJS.Timeout;

  constructor(readonly session: PgSession, private readonly log: Logger, retryMs = Number(process.env.LEASE_RETRY_MS) || 1_000) {
    session.on('connected', (client) => this.tryAll(client));
    session.on('lost', () => {
      for (const lease of this.leases) void lease.lost();
    });
    this.timer = setInterval(() => {
      const client = session.current();
      if (client) this.tryAll(client);
    }, retryMs);
    this.timer.unref();
  }

  lead(name: string, handlers: LeaseHandlers): Lease {
    const lease = new PgLease(name, handlers, this);
    this.leases.add(lease);
    const client = this.session.current();
    if (client) void lease.attempt(client);
    return lease;
  }

  /** Session advisory locks are re-entrant: a second local lease of one name waits until the first lets go. */
  heldLocally(name: string): boolean {
    for (const l of this.leases) if (l.name === name && l.isLeader()) return true;
    return false;
  }

  forget(lease: PgLease): void {
    this.leases.delete(lease);
  }

  async call(name: string, what: string, fn: () => unknown): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.log.warn({ lease: name, err: { message: String((error as Error)?.message ?? error) } }, `cluster: lease ${what} handler failed`);
    }
  }

  private tryAll(client: pg.Client): void {
    for (const lease of this.leases) void lease.attempt(client);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
