/**
 * Plain JSON bodies (`ctx.body = { … }` or `[ … ]`) without Koa's web-body checks. Koa's body setter, and again its
 * responder, test every object body `instanceof Response`; the first read of the global `Response` loads undici with
 * tls and http2 (~10 MB resident, issue #16), so a server answering nothing but JSON would carry it from its first
 * request on. Here a plain object or array takes Koa's own JSON branch directly (same status, type and length
 * rules), and is serialised once the middleware chain has finished, so Koa's responder sees a string. Anything else —
 * strings, buffers, streams, Blobs, web `Response`s, class instances — goes through Koa's setter as before.
 */
import type Koa from 'koa';

interface KoaResponseInternals {
  _body: unknown;
  _explicitStatus?: boolean;
  status: number;
  type: string;
  res: import('node:http').ServerResponse;
  remove(field: string): void;
}

/** An object Koa would send as JSON and that cannot be a stream, Blob or web Response: its prototype says so. */
export function isPlainJson(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const isStreamLike = (value: unknown): boolean => typeof (value as { pipe?: unknown } | null)?.pipe === 'function';

/** Install on `app`: a `body` setter on `app.response` (Koa's extension point) and a serialising step before respond. */
export function plainJsonBodies(app: Koa): void {
  const proto = Object.getPrototypeOf(app.response) as object;
  const koaBody = Object.getOwnPropertyDescriptor(proto, 'body');
  if (!koaBody?.get || !koaBody.set) return; // not the Koa this was written against: keep its behaviour
  const koaSet = koaBody.set;
  /** The Content-Type Koa's `type = 'json'` sets, learnt from its first use (then set directly when none is set). */
  let jsonType: string | undefined;
  Object.defineProperty(app.response, 'body', {
    configurable: true,
    get: koaBody.get,
    set(this: KoaResponseInternals, value: unknown) {
      // A stream being replaced needs Koa's clean-up of it; that path is rare, so leave it to Koa.
      if (!isPlainJson(value) || isStreamLike(this._body)) return koaSet.call(this, value);
      this._body = value;
      if (!this._explicitStatus) this.status = 200;
      this.remove('Content-Length');
      const res = this.res;
      if (jsonType && !res.headersSent && !res.hasHeader('Content-Type')) res.setHeader('Content-Type', jsonType);
      else if (!this.type || !/\bjson\b/i.test(this.type)) {
        this.type = 'json';
        // What Koa's type setter gave for 'json' (its mime lookup and charset rule), kept for the bodies that follow:
        // most set no type of their own, and the lookup was the setter's cost (issue #16: the authenticated GET).
        const given = res.getHeader('Content-Type');
        if (typeof given === 'string' && !res.headersSent) jsonType = given;
      }
    },
  });
  const handle = (app as unknown as { handleRequest: Function }).handleRequest.bind(app) as (ctx: Koa.Context, fn: (ctx: Koa.Context) => Promise<unknown>) => Promise<unknown>;
  (app as unknown as { handleRequest: typeof handle }).handleRequest = (ctx, fnMiddleware) =>
    handle(ctx, (c) => fnMiddleware(c).then(() => {
      // Koa would stringify the same value in its responder.
      const res = c.response as unknown as KoaResponseInternals;
      if (c.respond !== false && isPlainJson(res._body)) serialised(c, res, JSON.stringify(res._body));
    }));
}

/**
 * Put the JSON text of a plain body in its place with the length Koa's string setter would give it. That setter's
 * other steps have nothing to do here: the status was made explicit and the JSON type set when the object was
 * assigned, and the object it replaces is no stream to clean up. Setting the one header directly skips the setter
 * chain (`ctx.body` → the setter above → Koa's setter → `length` → `set` with its entries array and map), and the
 * header holds the same number Koa's `set` would hand to `setHeader` (issue #16: fewer scavenges per 10k requests).
 * Whenever one of those assumptions does not hold — a `toJSON` that gave no text, a Content-Type removed after the
 * body was set — Koa's setter decides as before.
 */
function serialised(c: Koa.Context, res: KoaResponseInternals, text: string | undefined): void {
  const headers = c.res;
  if (typeof text !== 'string' || !headers.hasHeader('Content-Type')) {
    c.body = text;
    return;
  }
  res._body = text;
  // Koa's `length` setter leaves a chunked body alone, and its `set` does nothing once the headers are out.
  if (!headers.headersSent && !headers.hasHeader('Transfer-Encoding')) headers.setHeader('Content-Length', Buffer.byteLength(text));
}
