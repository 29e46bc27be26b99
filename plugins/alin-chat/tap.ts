/**
 * Watch the events of a stream as they pass, without a generator layer: every event of every ALIN turn passes here,
 * and an async generator that only re-yields costs promise hops and allocations per event (issue #16's profile).
 */
import type { AgentEvent } from '../../core/plugin-api/index.ts';

/** `events` as they are, calling `see` with each one on its way to the consumer. */
export function tap(events: AsyncIterable<AgentEvent>, see: (ev: AgentEvent) => void): AsyncIterableIterator<AgentEvent> {
  const inner = events[Symbol.asyncIterator]();
  const onStep = (step: IteratorResult<AgentEvent>) => {
    if (!step.done) see(step.value);
    return step;
  };
  const iterator: AsyncIterableIterator<AgentEvent> = {
    next: () => inner.next().then(onStep),
    return: async (value?: unknown) => (inner.return ? inner.return(value) : { done: true, value: undefined }),
    throw: async (error?: unknown) => {
      if (inner.throw) return inner.throw(error).then(onStep);
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
