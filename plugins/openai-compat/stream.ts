/**
 * OpenAI's streaming wire format: `data: <chat.completion.chunk JSON>\n\n` lines (no event names), ended by
 * `data: [DONE]`. Written straight to the socket, flushed per chunk; the signal aborts when the client goes away.
 */
import type { Context } from 'koa';

export class ChunkStream {
  private ended = false;
  private readonly controller = new AbortController();
  /** Aborted when the client disconnects. */
  readonly disconnected = this.controller.signal;

  constructor(private readonly ctx: Context) {
    ctx.respond = false;
    const res = ctx.res;
    // The headers set so far (request id, security headers, X-RateLimit-*) are already on `res` — Koa keeps them
    // there — so they are not copied a second time. `Connection` is left to Node: it knows whether the client asked
    // to close (a fixed `keep-alive` contradicted `Connection: close` and HTTP/1.0 clients).
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    ctx.req.socket.setNoDelay(true);
    res.on('close', () => {
      if (!res.writableFinished) this.controller.abort(new Error('client disconnected'));
      this.ended = true;
    });
  }

  get closed(): boolean {
    return this.ended;
  }

  send(payload: unknown): void {
    if (this.ended || this.ctx.res.destroyed) return;
    this.ctx.res.write(`data: ${JSON.stringify(payload)}\n\n`);
  }

  /** `data: [DONE]` and the end of the response (once). */
  finish(): void {
    if (this.ended) return;
    this.ctx.res.write('data: [DONE]\n\n');
    this.ended = true;
    this.ctx.res.end();
  }
}
