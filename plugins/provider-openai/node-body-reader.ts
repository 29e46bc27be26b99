/**
 * A reader over a response's Node body stream with the shape of a web stream's reader (`read`, `cancel`), so
 * `read-chunks.ts` reads either the same way. Between the socket and the parser it keeps only a list of the pieces
 * not yet read: no web stream, its queue, controller and a promise per chunk in between (issue #16: the proxy hop).
 *
 * As `httpFetch`'s web body does, it hands on what one network read brought as one chunk: the HTTP parser emits a
 * `data` event per piece of the chunked encoding (hundreds in a burst), which are joined a microtask later, once the
 * parser is done with that read. The socket is paused while pieces wait that no read asked for (backpressure).
 */
import type { Readable } from 'node:stream';

/** What `read-chunks.ts` needs of a body reader (a web `ReadableStreamDefaultReader` has it too). */
export interface BodyReader {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel(): Promise<void>;
}

export function nodeBodyReader(source: Readable): BodyReader {
  let parts: Buffer[] = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let waiting: { resolve: (r: ReadableStreamReadResult<Uint8Array>) => void; reject: (e: unknown) => void } | undefined;
  let queued = false;

  /** Answer the waiting read: the pieces so far as one chunk, else the failure, else the end. */
  const answer = () => {
    queued = false;
    const w = waiting;
    if (!w) return;
    if (parts.length) {
      waiting = undefined;
      const chunk = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      parts = [];
      w.resolve({ value: chunk, done: false });
    } else if (failure) {
      waiting = undefined;
      w.reject(failure.error);
    } else if (ended) {
      waiting = undefined;
      w.resolve({ value: undefined, done: true });
    }
  };
  const wake = () => {
    if (!queued) {
      queued = true;
      queueMicrotask(answer);
    }
  };

  // Ended by an abort or a failure before this reader came: its error event is gone, so it is read off the stream.
  if (source.destroyed) failure = { error: source.errored ?? new Error('aborted') };
  else {
    source.on('data', (piece: Buffer) => {
      parts.push(piece);
      if (waiting) wake();
      else source.pause();
    });
    source.once('end', () => {
      ended = true;
      wake();
    });
    source.once('error', (error) => {
      parts = [];
      failure = { error };
      wake();
    });
  }

  return {
    read() {
      if (parts.length || failure || ended) {
        return new Promise((resolve, reject) => {
          waiting = { resolve, reject };
          answer();
        });
      }
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        source.resume();
      });
    },
    cancel() {
      parts = [];
      ended = true;
      source.destroy();
      // A read still waiting ends, as a cancelled web stream ends its pending read.
      answer();
      return Promise.resolve();
    },
  };
}
