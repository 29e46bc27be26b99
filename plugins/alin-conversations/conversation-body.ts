/**
 * The body of `GET /api/conversations/:id`, remembered per snapshot of the conversation's messages. The store hands out
 * the same frozen array until the conversation changes, so a conversation read again and again (a client polling,
 * several tabs) is serialised once per version instead of on every request. The whole body is kept, not just the
 * messages' JSON: joining a head to ~50 KB of messages allocated and copied a fresh buffer per request, which was most
 * of the request's CPU and garbage (issue #16's profile). The head (the conversation's fields, a few hundred bytes) is
 * built per request and compared, so a changed title or flag is never served stale. A store that hands out a new array
 * each time just misses; the weak map forgets an array once no one holds it.
 *
 * Compressed copies, for clients that accept them (every browser, `fetch`): once the body was handed out in full, its
 * gzip or brotli copy is made off the event loop (zlib on libuv's pool) and served from then on. A 100-message
 * conversation is 60 KB as JSON and 4.6 KB in gzip: 13× fewer bytes to a browser on a real network. On loopback the
 * server's CPU a request stays the same (55–58 µs either way, `alin-messages.ts`): the kernel's copy of 60 KB costs
 * about what choosing the encoding does. The first request of a version never waits for a compression.
 */
import zlib from 'node:zlib';
import { storedJsonArray } from '../../core/plugin-api/index.ts';

/** The encodings a compressed copy can be made in, in the server's order of preference among equally accepted ones. */
export const BODY_ENCODINGS = ['br', 'gzip'] as const;
export type BodyEncoding = (typeof BODY_ENCODINGS)[number];

/** Under this many bytes a body goes as it is: compressing it would save less than the headers weigh. */
const COMPRESS_FROM_BYTES = 1024;

interface CachedBody {
  head: string;
  body: Buffer;
  /** A finished copy, or `null` while it is being made (or after making it failed: then the body goes uncompressed). */
  encoded: Partial<Record<BodyEncoding, Buffer | null>>;
}

const cache = new WeakMap<object, CachedBody>();

/**
 * `head` is the JSON of the response object without its messages (`{"success":true,"conversation":{…}}`); the body is
 * that object with `"messages":[…]` added as its last field.
 */
export function conversationBody(head: string, messages: ReadonlyArray<unknown>): Buffer {
  return cachedBody(head, messages).body;
}

/**
 * The body in `encoding` when its compressed copy is ready, else the body as it is (`encoding` undefined) — and the
 * copy is started, for the requests that follow.
 */
export function encodedConversationBody(head: string, messages: ReadonlyArray<unknown>, encoding: BodyEncoding | undefined): { body: Buffer; encoding?: BodyEncoding } {
  const cached = cachedBody(head, messages);
  if (!encoding || cached.body.length < COMPRESS_FROM_BYTES || !cache.has(messages)) return { body: cached.body };
  const copy = cached.encoded[encoding];
  if (copy) return { body: copy, encoding };
  if (copy === undefined) compressInBackground(cached, encoding);
  return { body: cached.body };
}

function cachedBody(head: string, messages: ReadonlyArray<unknown>): CachedBody {
  const hit = cache.get(messages);
  if (hit && hit.head === head) return hit;
  // The messages' JSON from the texts the store wrote them with, where it has them (the same bytes as JSON.stringify).
  const body = Buffer.from(`${head.slice(0, -1)},"messages":${storedJsonArray(messages as ReadonlyArray<object>)}}`, 'utf8');
  const entry: CachedBody = { head, body, encoded: {} };
  if (Object.isFrozen(messages)) cache.set(messages, entry);
  return entry;
}

/**
 * Brotli at quality 5 (of 11): within ~10 % of the best size for JSON at a fraction of the time (the default, 11, takes
 * ~30 ms for 50 KB); gzip at zlib's default level.
 */
function compressInBackground(entry: CachedBody, encoding: BodyEncoding): void {
  entry.encoded[encoding] = null;
  const done = (error: Error | null, out: Buffer) => {
    if (!error) entry.encoded[encoding] = out;
  };
  if (encoding === 'br') {
    zlib.brotliCompress(entry.body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: entry.body.length } }, done);
  } else {
    zlib.gzip(entry.body, done);
  }
}
