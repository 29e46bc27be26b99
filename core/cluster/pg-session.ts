/**
 * One dedicated PostgreSQL connection of an instance (outside the pool): it LISTENs for the bus and holds the session
 * advisory locks of leadership. When it is lost (server restart, network, a dead peer noticed by the heartbeat) every
 * lock it held is gone on the server too, so `lost` fires at once (leaders step down) and the session reconnects with
 * backoff; `connected` fires on every (re)connection (LISTEN again, compete for leases again).
 */
import { EventEmitter } from 'node:events';
import type pg from 'pg';
import type { Logger } from 'pino';
import { pgModule } from '../db/pool.ts';

const HEARTBEAT_MS = 2_000;
const HEARTBEAT_TIMEOUT_MS = 3_000;
const MAX_BACKOFF_MS = 5_000;

/**
 * A client whose queries run one after another. The bus, the change fence, the leases and the heartbeat all use this
 * one connection, often in the same moment (both LISTENs right after connecting, a ping beside an acknowledgement);
 * pg queues overlapping calls itself today but deprecates it (they fail in pg 9), so the queue is ours.
 */
function serialClient(config: pg.ClientConfig): pg.Client {
  const client = new (pgModule().Client)(config);
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
  let tail: Promise<unknown> = Promise.resolve();
  client.query = ((...args: unknown[]) => {
    const run = () => query(...args);
    const result = tail.then(run, run);
    tail = result.catch(() => undefined);
    return result;
  }) as typeof client.query;
  return client;
}

export class PgSession extends EventEmitter<{ connected: [pg.Client]; lost: []; notification: [pg.Notification] }> {
  private client: pg.Client | undefined;
  private closed = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private failures = 0;
  private connecting: Promise<void> | undefined;

  constructor(private readonly url: string, private readonly log: Logger, private readonly applicationName = 'aion-cluster') {
    super();
  }

  /** The live connection, or undefined while reconnecting. */
  current(): pg.Client | undefined {
    return this.client;
  }

  /** Connect once (retries in the background when the first attempt fails). */
  start(): Promise<void> {
    this.connecting ??= this.connect();
    return this.connecting;
  }

  private async connect(): Promise<void> {
    while (!this.closed) {
      const client = serialClient({ connectionString: this.url, application_name: this.applicationName, keepAlive: true });
      client.on('error', () => this.drop(client));
      client.on('end', () => this.drop(client));
      client.on('notification', (n) => this.emit('notification', n));
      try {
        await client.connect();
        if (this.closed) {
          await client.end().catch(() => undefined);
          return;
        }
        this.client = client;
        this.failures = 0;
        this.beat(client);
        this.emit('connected', client);
        return;
      } catch (error) {
        client.removeAllListeners('end');
        await client.end().catch(() => undefined);
        const wait = Math.min(MAX_BACKOFF_MS, 200 * 2 ** this.failures++);
        this.log.warn({ err: { message: String((error as Error)?.message ?? error) }, retryMs: wait }, 'cluster: database session unavailable');
        await new Promise((r) => setTimeout(r, wait).unref());
      }
    }
  }

  /** A query that hangs past the timeout means the connection is dead even if no error came yet. */
  private beat(client: pg.Client): void {
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('heartbeat timed out')), HEARTBEAT_TIMEOUT_MS)));
      Promise.race([client.query('SELECT 1'), timeout])
        .catch(() => this.drop(client))
        .finally(() => clearTimeout(timer));
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private drop(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearInterval(this.heartbeat);
    client.end().catch(() => undefined);
    this.emit('lost');
    if (this.closed) return;
    this.log.warn('cluster: database session lost; reconnecting');
    this.connecting = this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    const client = this.client;
    this.client = undefined;
    if (client) {
      this.emit('lost');
      await client.end().catch(() => undefined);
    }
  }
}
