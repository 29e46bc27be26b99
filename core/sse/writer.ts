/**
 * The one SSE writer. Frame = `event: NAME\ndata: JSON\n\n` with `"type": NAME` as the JSON's first key; a
 * `: heartbeat` comment every 15 s; flushed per frame; exactly one terminal frame (`done` or `error`), then the end.
 */
import type { Context } from 'koa';

/** `SSE_HEARTBEAT_MS` (default 15 s, at least 50 ms): how often an open stream gets a `: heartbeat` comment. */
const HEARTBEAT_MS = Math.max(50, Number(process.env.SSE_HEARTBEAT_MS) || 15_000);
const TERMINAL = new Set(['done', 'error']);

/**
 * The open writers and the one timer that sends their heartbeats: a timer per stream was one more object, closure and
 * timer-list entry held by each of 1,000 open streams (issue #16). A stream's first heartbeat comes within one period.
 */
const beating = new Set<SseWriter>();
let heartbeat: NodeJS.Timeout | undefined;

function startBeating(writer: SseWriter): void {
  beating.add(writer);
  if (heartbeat) return;
  heartbeat = setInterval(() => {
    for (const w of beating) w.beat();
  }, HEARTBEAT_MS);
  heartbeat.unref();
}

function stopBeating(writer: SseWriter): void {
  beating.delete(writer);
  if (beating.size || !heartbeat) return;
  clearInterval(heartbeat);
  heartbeat = undefined;
}

export class SseWriter {
  private ended = false;
  /** Aborted when the client goes away. */
  readonly disconnected: AbortSignal;

  /**
   * @param opts.headersWithFirstFrame the caller writes a frame right away (an agent stream opens once its first event
   *   is there), so the headers leave with it in one write instead of a write of their own. A push stream that may stay
   *   quiet sends them at once (the default), so the client sees the stream open.
   * @param opts.disconnect the controller to abort when the client goes away (its signal is `disconnected`): the
   *   caller's own, made before the stream opened, rather than one more controller chained to it per stream.
   */
  constructor(
    private readonly ctx: Context,
    opts: { headersWithFirstFrame?: boolean; disconnect?: AbortController } = {},
  ) {
    const controller = opts.disconnect ?? new AbortController();
    this.disconnected = controller.signal;
    ctx.respond = false;
    const res = ctx.res;
    res.statusCode = 200;
    for (const [k, v] of Object.entries(ctx.response.headers)) if (v !== undefined) res.setHeader(k, v as any);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    if (!opts.headersWithFirstFrame) res.flushHeaders();
    ctx.req.socket.setNoDelay(true);
    const onClose = () => {
      if (!res.writableFinished) controller.abort(new Error('client disconnected'));
      this.close();
    };
    res.on('close', onClose);
    startBeating(this);
  }

  /** A `: heartbeat` comment (called by the shared heartbeat timer). */
  beat(): void {
    this.raw(': heartbeat\n\n');
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Frames written in this turn of the event loop, not yet handed to the socket. */
  private pending = '';
  private flushScheduled = false;
  private readonly flushNow = () => this.flush();

  /**
   * The first frame after a quiet spell leaves at once (the first token must not wait for a loop turn); frames produced
   * after it in the same turn of the event loop (a provider's network chunk often carries dozens of tokens) wait and
   * leave in one write of one string on the next check phase. One string rather than a corked socket: a corked socket
   * turns dozens of small writes into a `writev` of dozens of buffers, each encoded and queued on its own (issue #16's
   * profile). An `approval` frame may thus reach the client before its turn is parked: the service lets an answer to
   * an announced call wait for the park (`core/agent/announced-approvals.ts`).
   */
  private raw(text: string): void {
    if (this.ended || this.ctx.res.destroyed) return;
    if (this.flushScheduled) {
      this.pending += text;
      return;
    }
    this.flushScheduled = true;
    setImmediate(this.flushNow);
    this.write(text);
  }

  private flush(): void {
    this.flushScheduled = false;
    const text = this.pending;
    this.pending = '';
    if (text) this.write(text);
  }

  private write(text: string): void {
    const res = this.ctx.res;
    if (!res.destroyed && !res.writableEnded) res.write(utf8(text));
  }

  /** Send one frame; a terminal frame ends the response. Frames after the terminal one are dropped. */
  send(type: string, payload: Record<string, unknown> = {}): void {
    if (this.ended) return;
    this.raw(frame(type, payload));
    if (TERMINAL.has(type)) this.close();
  }

  /**
   * An unnamed frame: browsers' `EventSource` hands it to `onmessage` (named frames need `addEventListener`), which is
   * what the push stream's clients listen to. Never terminal.
   */
  message(payload: Record<string, unknown>, id?: number): void {
    if (this.ended) return;
    this.raw(`${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(payload)}\n\n`);
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    stopBeating(this);
    const res = this.ctx.res;
    const text = this.pending;
    this.pending = '';
    // The last frames leave with the end of the response, in one write.
    if (!res.writableEnded) res.end(text && !res.destroyed ? utf8(text) : undefined);
  }
}

/**
 * The bytes of a batch of frames. Node's chunked encoding measures a string (`Buffer.byteLength`) and then encodes it
 * again to write it; encoding once into a buffer scans the text once (a burst's batch is the whole answer).
 */
function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** `event: NAME\ndata: {"type":NAME` per event name, checked once: a stream sends the same few names thousands of times. */
const HEADS = new Map<string, string>();
const MAX_HEADS = 256;

function head(type: string): string {
  let h = HEADS.get(type);
  if (h === undefined) {
    if (/[\r\n]/.test(type)) throw new Error('SSE event names cannot contain CR or LF');
    h = `event: ${type}\ndata: {"type":${JSON.stringify(type)}`;
    if (HEADS.size < MAX_HEADS) HEADS.set(type, h);
  }
  return h;
}

/**
 * `event: NAME\ndata: {"type": NAME, ...payload}\n\n` with `type` first, without copying the payload into a new object
 * per frame: the payload's own JSON is spliced after the type (a payload's own `type` key is dropped, as the frame's
 * name wins).
 */
function frame(type: string, payload: Record<string, unknown>): string {
  const start = head(type);
  if ('type' in payload) {
    const { type: _ignored, ...rest } = payload;
    payload = rest;
  }
  const body = JSON.stringify(payload);
  return body === '{}' ? `${start}}\n\n` : `${start},${body.slice(1)}\n\n`;
}
