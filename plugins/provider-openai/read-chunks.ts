/**
 * Reads a Chat Completions event stream from the raw response. The SDK builds and sends the request (auth, retries,
 * errors before the stream starts); its own stream reader re-concatenates its buffer on every network chunk, which
 * made it half of the server's CPU under burst streams (issue #16's profile), so the stream is parsed here with
 * `eventsource-parser` instead — the same events, linear in the stream's size.
 */
import type OpenAI from 'openai';
import { EventSourceParserStream } from 'eventsource-parser/stream';

/** An error frame inside a stream (`data: {"error": {...}}`), which compatible servers send after a 200. */
export class StreamErrorFrame extends Error {
  constructor(readonly error: { message?: string; code?: unknown; type?: string }) {
    super(typeof error?.message === 'string' && error.message ? error.message : 'upstream error in the stream');
  }
}

/** Yields each chunk until `data: [DONE]` or the end of the body. */
export async function* readChunks(response: Response): AsyncGenerator<OpenAI.Chat.ChatCompletionChunk> {
  if (!response.body) return;
  const events = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  try {
    for (;;) {
      const { value: event, done } = await events.read();
      if (done || event.data === '[DONE]') return;
      const chunk = JSON.parse(event.data);
      if (chunk && typeof chunk === 'object' && chunk.error) throw new StreamErrorFrame(chunk.error);
      yield chunk as OpenAI.Chat.ChatCompletionChunk;
    }
  } finally {
    // Leaving early (abort, an error frame, the consumer stopping) releases the connection.
    await events.cancel().catch(() => {});
  }
}
