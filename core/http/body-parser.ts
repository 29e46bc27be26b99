/**
 * JSON bodies (koa-body) with two limits: the chat routes take up to `chatBodyLimit` (10 MB by default, as the
 * original ALIN server — images travel inside chat messages as base64), every other route keeps `bodyLimit`.
 */
import type { Middleware } from 'koa';
import { koaBody } from 'koa-body';

/** The routes whose bodies carry whole conversations with images. */
export const CHAT_BODY_PATHS: ReadonlySet<string> = new Set(['/api/chat', '/api/chat/stream', '/api/chat/continue', '/api/coding/stream']);

const PARSED: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function jsonBodies(bodyLimit: string, chatBodyLimit: string): Middleware {
  const parser = (jsonLimit: string) =>
    koaBody({
      json: true,
      jsonStrict: true,
      urlencoded: false,
      text: false,
      multipart: false,
      jsonLimit,
      // Signature checks (Alexa, webhooks) need the exact bytes that were signed.
      includeUnparsed: true,
      parsedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'] as any,
    });
  const normal = parser(bodyLimit);
  const chat = parser(chatBodyLimit);
  // GET, HEAD and OPTIONS carry no body we parse: skip koa-body's four content-type checks on them (most requests).
  return (ctx, next) => (PARSED.has(ctx.method) ? (CHAT_BODY_PATHS.has(ctx.path) ? chat : normal)(ctx, next) : next());
}
