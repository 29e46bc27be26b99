/** The push-events contract (`GET /api/events`): server-initiated events for one user. */


/** A server-initiated event for one user: `type` is what clients switch on (`proactive`, `warning`, `wakeup` …). */
export interface PushEvent {
  type: string;
  [field: string]: unknown;
}

/** A published event: numbered (the SSE `id`, for `Last-Event-ID`) and stamped. */
export type PushedEvent = PushEvent & { id: number; ts: string };

/** The push hub: events for one user reach every open `GET /api/events` stream of that user. */
export interface EventsApi {
  publish(userId: string, event: PushEvent): PushedEvent;
  /** Listen to one user's events; returns the function that stops listening. */
  subscribe(userId: string, fn: (event: PushedEvent) => void): () => void;
  /** The user's recent events newer than `lastId` (a reconnecting stream catches up with them). */
  since(userId: string, lastId: number): PushedEvent[];
  /** How many push streams the user has open (a channel may skip a push nobody sees). */
  listenerCount(userId: string): number;
}
