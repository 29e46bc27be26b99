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

/** A reader over `source` (see the file's comment). */
export function nodeBodyReader(source: Readable): BodyReader {
  return new NodeBodyReader(source);
}

type PendingRead = { resolve: (r: ReadableStreamReadResult<Uint8Array>) => void; reject: (e: unknown) => void };

class NodeBodyReader implements BodyReader {
  private parts: Buffer[] = [];
  private ended = false;
  private failure: { error: unknown } | undefined;
  private waiting: PendingRead | undefined;
  private queued = false;

  constructor(private readonly source: Readable) {
    // Ended by an abort or a failure before this reader came: its error event is gone, so it is read off the stream.
    if (source.destroyed) this.failure = { error: source.errored ?? new Error('aborted') };
    else this.listen();
  }

  read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    const ready = this.parts.length > 0 || this.failure !== undefined || this.ended;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      if (ready) this.answer();
      else this.source.resume();
    });
  }

  cancel(): Promise<void> {
    this.parts = [];
    this.ended = true;
    this.source.destroy();
    // A read still waiting ends, as a cancelled web stream ends its pending read.
    this.answer();
    return Promise.resolve();
  }

  private listen(): void {
    this.source.on('data', (piece: Buffer) => {
      this.parts.push(piece);
      if (this.waiting) this.wake();
      else this.source.pause();
    });
    this.source.once('end', () => {
      this.ended = true;
      this.wake();
    });
    this.source.once('error', (error) => {
      this.parts = [];
      this.failure = { error };
      this.wake();
    });
  }

  /** Answer the waiting read a microtask later, once the parser is done with this network read. */
  private wake(): void {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => this.answer());
  }

  /** Answer the waiting read: the pieces so far as one chunk, else the failure, else the end. */
  private answer(): void {
    this.queued = false;
    const w = this.waiting;
    if (!w) return;
    if (this.parts.length) {
      this.waiting = undefined;
      const chunk = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
      this.parts = [];
      w.resolve({ value: chunk, done: false });
    } else if (this.failure) {
      this.waiting = undefined;
      w.reject(this.failure.error);
    } else if (this.ended) {
      this.waiting = undefined;
      w.resolve({ value: undefined, done: true });
    }
  }
}
