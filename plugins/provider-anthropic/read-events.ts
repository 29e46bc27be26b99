/**
 * Reads a Messages API event stream from the raw response. The SDK builds and sends the request (auth, retries, errors
 * before the stream starts); the stream itself is parsed here with `eventsource-parser`, fed straight from the body's
 * chunks, instead of through the SDK's `MessageStream`, which re-buffers the bytes, re-copies each content block on
 * every delta and runs an event emitter per event (issue #16: the SDK readers were half the server's CPU under burst
 * streams).
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { APIError } from '@anthropic-ai/sdk';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/**
 * Yields each event of the stream. `ping` and data-less events are skipped; an `error` event throws the SDK's own
 * `APIError` (as its reader does), so callers see the same error either way. The class is passed in because the SDK
 * is imported on first use, not when the plugin loads.
 */
export async function* readEvents(response: Response, ErrorClass: typeof APIError): AsyncGenerator<Anthropic.MessageStreamEvent> {
  if (!response.body) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => void pending.push(event) });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) parser.feed(decoder.decode());
      else parser.feed(decoder.decode(value, { stream: true }));
      // Swap rather than copy: the events of one network chunk are yielded while the next chunk is read into a new list.
      const events = pending;
      pending = [];
      for (const event of events) {
        if (event.event === 'ping' || !event.data) continue;
        if (event.event === 'error') throw streamError(ErrorClass, event.data, response.headers);
        yield JSON.parse(event.data) as Anthropic.MessageStreamEvent;
      }
      if (done) return;
    }
  } finally {
    // Leaving early (abort, an error event, the consumer stopping) releases the connection.
    await reader.cancel().catch(() => {});
  }
}

/** An `event: error` frame after a 200 → the SDK's `APIError`, built from the frame's body the way its reader builds it. */
function streamError(ErrorClass: typeof APIError, data: string, headers: Headers): APIError {
  let body: unknown = data;
  try {
    body = JSON.parse(data);
  } catch {
    // Not JSON: the raw text is the error.
  }
  const type = (body as { error?: { type?: unknown } } | null)?.error?.type;
  return new ErrorClass(undefined, body as object, undefined, headers, typeof type === 'string' ? (type as never) : undefined);
}
