/**
 * Reads a Chat Completions event stream from the raw response. The SDK builds and sends the request (auth, retries,
 * errors before the stream starts); its own stream reader re-concatenates its buffer on every network chunk, which
 * made it half of the server's CPU under burst streams (issue #16's profile), so the stream is parsed here with
 * `eventsource-parser` instead — the same events, linear in the stream's size.
 */
import type OpenAI from 'openai';
import { createParser } from 'eventsource-parser';

/** An error frame inside a stream (`data: {"error": {...}}`), which compatible servers send after a 200. */
export class StreamErrorFrame extends Error {
  constructor(readonly error: { message?: string; code?: unknown; type?: string }) {
    super(typeof error?.message === 'string' && error.message ? error.message : 'upstream error in the stream');
  }
}

/**
 * Yields each chunk until `data: [DONE]` or the end of the body. The parser is fed straight from the body's chunks
 * (not through `TextDecoderStream` and `EventSourceParserStream`): two web-stream transforms cost several promise
 * hops per event, which showed in the profile under burst streams.
 */
export async function* readChunks(response: Response): AsyncGenerator<OpenAI.Chat.ChatCompletionChunk> {
  if (!response.body) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let pending: string[] = [];
  const parser = createParser({ onEvent: (event) => void pending.push(event.data) });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      parser.feed(done ? decoder.decode() : decoder.decode(value, { stream: true }));
      // Swap rather than copy: the events of one network chunk are yielded while the next chunk goes into a new list.
      const events = pending;
      pending = [];
      for (const data of events) {
        if (data === '[DONE]') return;
        const chunk = JSON.parse(data);
        if (chunk && typeof chunk === 'object' && chunk.error) throw new StreamErrorFrame(chunk.error);
        yield chunk as OpenAI.Chat.ChatCompletionChunk;
      }
      if (done) return;
    }
  } finally {
    // Leaving early (abort, an error frame, the consumer stopping) releases the connection.
    await reader.cancel().catch(() => {});
  }
}
