/**
 * Reads a `streamGenerateContent?alt=sse` event stream from the raw response. The SDK builds and sends the request
 * (auth, retries, errors before the stream starts), but its own reader searches the whole unread buffer for three
 * delimiters and copies the rest of it after every event, and wraps each event in a `Response` to parse it — quadratic
 * in a burst (issue #16). Here `eventsource-parser` splits the events, linear in the stream's size.
 *
 * What the SDK's reader does and this keeps: an `{"error": {...}}` event with an HTTP code (400–599) is thrown as an
 * error with that `status` and the SDK's message; a stream that ends inside an event is an error ("Incomplete JSON
 * segment at the end"), not a silently shorter answer. The responses are the API's JSON as it is: the SDK's converter
 * for the Gemini API copies `candidates`, `usageMetadata` and `promptFeedback` through unchanged.
 */
import type { GenerateContentResponse } from '@google/genai';
import { createParser } from 'eventsource-parser';

/** The SDK's error for an error event (its `ApiError`: `status` and this message), without loading the SDK here. */
function streamError(json: { error?: unknown }): Error | undefined {
  const error = json?.error as { code?: unknown; status?: unknown } | null | undefined;
  if (!error || typeof error !== 'object' || typeof error.code !== 'number' || error.code < 400 || error.code >= 600) return undefined;
  return Object.assign(new Error(`got status: ${error.status}. ${JSON.stringify(json)}`), { name: 'ApiError', status: error.code });
}

/** An error event sent as a whole network chunk without `data:` (the SDK checks each chunk for one). */
function rawChunkError(text: string): Error | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    return streamError(JSON.parse(text));
  } catch {
    return undefined;
  }
}

const DELIMITERS = ['\n\n', '\r\r', '\r\n\r\n'];

/** Where the text after the last complete event begins in `text`, or -1 when `text` holds no event end. */
function afterLastEvent(text: string): number {
  let end = -1;
  for (const d of DELIMITERS) {
    const at = text.lastIndexOf(d);
    if (at >= 0) end = Math.max(end, at + d.length);
  }
  return end;
}

/**
 * Yields the responses of each network read as one batch (one generator step per read, not per response) until the
 * body ends.
 */
export async function* readResponseBatches(response: Response): AsyncGenerator<GenerateContentResponse[]> {
  if (!response.body) throw new Error('Response body is empty');
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let pending: string[] = [];
  const parser = createParser({ onEvent: (event) => void pending.push(event.data) });
  /** The text since the last complete event (bounded by one event's size, so tracking it stays linear). */
  let open = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      const text = done ? decoder.decode() : decoder.decode(value, { stream: true });
      const raw = rawChunkError(text);
      if (raw) throw raw;
      parser.feed(text);
      const joined = open.slice(-3) + text;
      const end = afterLastEvent(joined);
      open = end >= 0 ? joined.slice(end) : open + text;
      const events = pending;
      pending = [];
      const batch: GenerateContentResponse[] = [];
      for (const data of events) {
        const json = JSON.parse(data);
        const error = streamError(json);
        if (error) {
          if (batch.length) yield batch;
          throw error;
        }
        batch.push(json as GenerateContentResponse);
      }
      if (batch.length) yield batch;
      if (done) {
        if (open.trim()) throw new Error('Incomplete JSON segment at the end');
        return;
      }
    }
  } finally {
    // Leaving early (abort, an error, the consumer stopping) releases the connection.
    await reader.cancel().catch(() => {});
  }
}
