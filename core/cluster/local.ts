/**
 * The single-instance cluster: the bus delivers in-process, every lease is led at once, "run once" remembers claims in
 * memory and the lock is a queue. Used without DATABASE_URL, where one process is the whole service.
 */
import { randomUUID } from 'node:crypto';
import { KeyedSerialQueue } from '../plugin-api/serial.ts';
import type { Bus, BusHandler, BusPayload, Cluster, Lease, LeaseHandlers, Leases } from './types.ts';

export class LocalBus implements Bus {
  private readonly handlers = new Map<string, Set<BusHandler>>();
  constructor(private readonly instanceId: string) {}

  async publish(topic: string, payload: BusPayload = {}): Promise<void> {
    this.deliver(topic, payload, this.instanceId);
  }

  /** Hand a message to this process's subscribers (also used by the PostgreSQL bus for what it receives). */
  deliver(topic: string, payload: BusPayload, from: string): void {
    for (const handler of [...(this.handlers.get(topic) ?? [])]) {
      try {
        const result = handler(payload, { from, fromSelf: from === this.instanceId });
        if (result instanceof Promise) result.catch(() => undefined);
      } catch {
        /* one failing subscriber must not stop the others */
      }
    }
  }

  subscribe(topic: string, handler: BusHandler): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    set.add(handler);
    return () => void set!.delete(handler);
  }
}

/** One process: it leads every lease as soon as it asks. */
export class LocalLeases implements Leases {
  lead(_name: string, handlers: LeaseHandlers): Lease {
    let leading = true;
    void Promise.resolve().then(() => leading && handlers.onLead());
    return {
      isLeader: () => leading,
      release: async () => {
        if (!leading) return;
        leading = false;
        await handlers.onLose();
      },
    };
  }
}

/** Claims remembered in memory (bounded: the oldest are forgotten first). */
const MAX_CLAIMS = 10_000;

export function localCluster(): Cluster {
  const instanceId = randomUUID();
  const claims = new Set<string>();
  const locks = new KeyedSerialQueue();
  return {
    instanceId,
    shared: false,
    bus: new LocalBus(instanceId),
    leases: new LocalLeases(),
    async runOnce(job, due) {
      const key = `${job}\u0000${due}`;
      if (claims.has(key)) return false;
      if (claims.size >= MAX_CLAIMS) claims.delete(claims.values().next().value!);
      claims.add(key);
      return true;
    },
    withLock: (name, fn) => locks.run(name, fn),
    close: async () => undefined,
  };
}
