/**
 * JSON bodies (co-body's JSON reader), refused when nested too deep (json-depth.ts), with two limits: the chat routes take up to `chatBodyLimit` (10 MB by default, as the
 * original ALIN server — images travel inside chat messages as base64), every other route keeps `bodyLimit`.
 *
 * co-body's JSON reader by file, as koa-body called it (strict, utf-8, the raw text kept): koa-body's entry also
 * loads formidable, co-body's form and text readers (qs and its ~20 helper packages) and builds its zod option
 * schemas — ~150 ms and several MB at start for routes that take JSON only (issue #16). Multipart routes load
 * koa-body on their first upload.
 */
import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import { assertWithinDepth } from './json-depth.ts';
import readJsonFile from 'co-body/lib/json.js';

/** The routes whose bodies carry whole conversations with images. */
export const CHAT_BODY_PATHS: ReadonlySet<string> = new Set(['/api/chat', '/api/chat/stream', '/api/chat/continue', '/api/coding/stream']);

const PARSED: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The content types koa-body reads as JSON (its `jsonTypes` default). */
const JSON_TYPES = ['application/json', 'application/json-patch+json', 'application/vnd.api+json', 'application/csp-report', 'application/reports+json'];

type ReadJson = (req: { req: IncomingMessage }, opts: { encoding: string; limit: string; strict: boolean; returnRawBody: true }) => Promise<{ parsed: unknown; raw: string }>;
const readJson = readJsonFile as ReadJson;

/**
 * `then`, when given, is the layer that comes next, called directly with this layer's `next`: one Koa layer fewer (a
 * bound `next` and a promise of koa-compose's) on every request (issue #16: the authenticated GET's profile).
 */
export function jsonBodies(bodyLimit: string, chatBodyLimit: string, then: Middleware = (_ctx, next) => next()): Middleware {
  // GET, HEAD and OPTIONS carry no body we parse: skip the content-type check and the depth check on them (most
  // requests), and without an async frame and its promise of their own. A parsed body is checked for its nesting
  // before anything else sees it.
  const read: Middleware = async (ctx, next) => {
    if (ctx.is(JSON_TYPES)) {
      const limit = CHAT_BODY_PATHS.has(ctx.path) ? chatBodyLimit : bodyLimit;
      const { parsed, raw } = await readJson(ctx, { encoding: 'utf-8', limit, strict: true, returnRawBody: true });
      const request = ctx.request as { body?: unknown; rawBody?: string };
      request.body = parsed;
      // Signature checks (Alexa, webhooks) need the exact bytes that were signed.
      request.rawBody = raw;
    }
    assertWithinDepth((ctx.request as { body?: unknown }).body);
    return then(ctx, next);
  };
  return (ctx, next) => (PARSED.has(ctx.method) ? read(ctx, next) : then(ctx, next));
}
