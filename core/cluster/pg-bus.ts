/**
 * The bus over PostgreSQL LISTEN/NOTIFY: one channel, `aion_bus`; each message is `{ t: topic, f: instance, p: payload }`
 * as JSON. Published through the pool (`pg_notify`, delivered when it commits), received on the instance's dedicated
 * session. Payloads are small by contract (ids and names, ≤ 1 KB): a receiver reloads the data from the database.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { LocalBus } from './local.ts';
import type { PgSession } from './pg-session.ts';
import { RECONNECTED, type Bus, type BusHandler, type BusPayload } from './types.ts';

export const BUS_CHANNEL = 'aion_bus';
const MAX_PAYLOAD_BYTES = 1024;

/** The wire form of a bus message (throws when it is over the payload limit). */
export function busMessage(topic: string, from: string, payload: BusPayload): string {
  const text = JSON.stringify({ t: topic, f: from, p: payload });
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) throw new Error(`bus message on ${topic} is too large (send an id, not the data)`);
  return text;
}

export class PgBus implements Bus {
  private readonly local: LocalBus;
  private everConnected = false;

  constructor(private readonly pool: pg.Pool, session: PgSession, private readonly instanceId: string, private readonly log: Logger) {
    this.local = new LocalBus(instanceId);
    session.on('notification', (n) => this.receive(n));
    session.on('connected', (client) => {
      client.query(`LISTEN ${BUS_CHANNEL}`).then(
        () => {
          // A reconnection may have missed messages: tell subscribers to reload what they cache.
          if (this.everConnected) this.local.deliver(RECONNECTED, {}, instanceId);
          this.everConnected = true;
        },
        () => undefined, // the session notices the broken connection and reconnects
      );
    });
  }

  async publish(topic: string, payload: BusPayload = {}): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [BUS_CHANNEL, busMessage(topic, this.instanceId, payload)]);
  }

  subscribe(topic: string, handler: BusHandler): () => void {
    return this.local.subscribe(topic, handler);
  }

  private receive(n: pg.Notification): void {
    if (n.channel !== BUS_CHANNEL || !n.payload) return;
    try {
      const msg = JSON.parse(n.payload) as { t?: unknown; f?: unknown; p?: unknown };
      if (typeof msg.t !== 'string' || typeof msg.f !== 'string' || msg.t === RECONNECTED) return;
      const payload = msg.p && typeof msg.p === 'object' && !Array.isArray(msg.p) ? (msg.p as BusPayload) : {};
      this.local.deliver(msg.t, payload, msg.f);
    } catch {
      this.log.warn('cluster: ignored a malformed bus message');
    }
  }
}
