/**
 * Reads a Chat Completions event stream from the raw response. `send.ts` sends the request the SDK builds (auth,
 * retries, errors before the stream starts); the SDK's own stream reader re-concatenates its buffer on every network
 * chunk, which made it half of the server's CPU under burst streams (issue #16's profile), so the stream is parsed
 * here with `eventsource-parser` instead — the same events, linear in the stream's size.
 */
import type OpenAI from 'openai';
import { createParser } from 'eventsource-parser';
import { takeNodeBody } from '../../core/plugin-api/index.ts';
import { nodeBodyReader, type BodyReader } from './node-body-reader.ts';

/** An error frame inside a stream (`data: {"error": {...}}`), which compatible servers send after a 200. */
export class StreamErrorFrame extends Error {
  constructor(readonly error: { message?: string; code?: unknown; type?: string }) {
    super(typeof error?.message === 'string' && error.message ? error.message : 'upstream error in the stream');
  }
}

/**
 * Yields the chunks of each network read as one batch, until `data: [DONE]` or the end of the body. One generator step
 * per network read rather than per chunk: a burst carries hundreds of chunks in one read, and every async generator
 * step between the socket and our SSE write costs promise hops and allocations (issue #16's profile). The parser is
 * fed straight from the body's chunks (not through `TextDecoderStream` and `EventSourceParserStream`) for the same
 * reason, and a response of `httpFetch` is read from its Node body stream, not through the web stream over it.
 */
export async function* readChunkBatches(response: Response): AsyncGenerator<OpenAI.Chat.ChatCompletionChunk[]> {
  const node = takeNodeBody(response);
  if (!node && !response.body) return;
  const reader: BodyReader = node ? nodeBodyReader(node) : response.body!.getReader();
  const decoder = new TextDecoder();
  let pending: string[] = [];
  const parser = createParser({ onEvent: (event) => void pending.push(event.data) });
  // `[DONE]` seen: the rest of the body is only its end, which is read (not cancelled) so the connection is reused.
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) finished = true;
      parser.feed(done ? decoder.decode() : decoder.decode(value, { stream: true }));
      // Swap rather than copy: the events of one network chunk are handed on while the next chunk goes into a new list.
      const events = pending;
      pending = [];
      const batch: OpenAI.Chat.ChatCompletionChunk[] = [];
      let ended = done;
      for (const data of events) {
        if (data === '[DONE]') {
          ended = finished = true;
          break;
        }
        const chunk = JSON.parse(data);
        if (chunk && typeof chunk === 'object' && chunk.error) {
          // What came before the error frame still goes out first, as it would chunk by chunk.
          if (batch.length) yield batch;
          throw new StreamErrorFrame(chunk.error);
        }
        batch.push(chunk as OpenAI.Chat.ChatCompletionChunk);
      }
      if (batch.length) yield batch;
      if (ended) return;
    }
  } finally {
    // After `[DONE]` the body's end is drained in the background: cancelling it made undici drop the socket, so every
    // call paid a new connection before its first byte (issue #16's TTFT split). Leaving early (abort, an error frame,
    // the consumer stopping) cancels, which closes the connection.
    if (finished) drainEnd(reader);
    else await reader.cancel().catch(() => {});
  }
}

/** Bytes a body may still carry after `[DONE]` before it is cut instead of drained (a misbehaving server). */
const DRAIN_LIMIT = 64 * 1024;
/** How long the body's end may take after `[DONE]` (a server holding the connection open). */
const DRAIN_MS = 5_000;

/** Read a finished stream's body to its end so its connection goes back to the pool; cut it if it goes on. */
function drainEnd(reader: BodyReader): void {
  const timer = setTimeout(() => void reader.cancel().catch(() => {}), DRAIN_MS);
  timer.unref();
  const step = (left: number): Promise<void> =>
    reader.read().then(({ value, done }) => {
      if (done) return;
      const rest = left - (value?.byteLength ?? 0);
      return rest < 0 ? reader.cancel() : step(rest);
    });
  step(DRAIN_LIMIT)
    .catch(() => {})
    .finally(() => clearTimeout(timer));
}

/** Each chunk on its own (the parse benchmark and tests read chunks one by one). */
export async function* readChunks(response: Response): AsyncGenerator<OpenAI.Chat.ChatCompletionChunk> {
  for await (const batch of readChunkBatches(response)) yield* batch;
}
