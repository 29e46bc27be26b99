/**
 * JSON bodies (koa-body), refused when nested too deep (json-depth.ts), with two limits: the chat routes take up to `chatBodyLimit` (10 MB by default, as the
 * original ALIN server — images travel inside chat messages as base64), every other route keeps `bodyLimit`.
 */
import type { Middleware } from 'koa';
import { koaBody } from 'koa-body';
import { assertWithinDepth } from './json-depth.ts';

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
  // GET, HEAD and OPTIONS carry no body we parse: skip koa-body's four content-type checks and the depth check on
  // them (most requests). A parsed body is checked for its nesting before anything else sees it.
  return (ctx, next) => {
    if (!PARSED.has(ctx.method)) return next();
    return (CHAT_BODY_PATHS.has(ctx.path) ? chat : normal)(ctx, () => {
      assertWithinDepth((ctx.request as { body?: unknown }).body);
      return next();
    });
  };
}
