/**
 * The push hub behind `GET /api/events`: plugins publish server-initiated events (a scheduled task's result, a
 * proactive hint, a warning) for one user; every open push stream of that user receives them. A short per-user
 * backlog lets a stream that reconnects (`Last-Event-ID`) catch up on what it missed. In memory, per process: a
 * restart forgets the backlog, as the original AION's queue did.
 */
import type { EventsApi, PushedEvent, PushEvent } from '../plugin-api/types.ts';

const BACKLOG = 50;

type Listener = (event: PushedEvent) => void;

export class EventHub implements EventsApi {
  private listeners = new Map<string, Set<Listener>>();
  private backlogs = new Map<string, PushedEvent[]>();
  private nextId = 1;

  publish(userId: string, event: PushEvent): PushedEvent {
    const pushed: PushedEvent = { ...event, id: this.nextId++, ts: new Date().toISOString() };
    const backlog = this.backlogs.get(userId) ?? [];
    backlog.push(pushed);
    if (backlog.length > BACKLOG) backlog.splice(0, backlog.length - BACKLOG);
    this.backlogs.set(userId, backlog);
    for (const fn of this.listeners.get(userId) ?? []) {
      try {
        fn(pushed);
      } catch {
        // one broken stream must not stop delivery to the others
      }
    }
    return pushed;
  }

  subscribe(userId: string, fn: Listener): () => void {
    let set = this.listeners.get(userId);
    if (!set) this.listeners.set(userId, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.listeners.delete(userId);
    };
  }

  since(userId: string, lastId: number): PushedEvent[] {
    return (this.backlogs.get(userId) ?? []).filter((e) => e.id > lastId);
  }

  listenerCount(userId: string): number {
    return this.listeners.get(userId)?.size ?? 0;
  }
}
