/**
 * The body of `GET /api/conversations/:id`, remembered per snapshot of the conversation's messages. The store hands out
 * the same frozen array until the conversation changes, so a conversation read again and again (a client polling,
 * several tabs) is serialised once per version instead of on every request. The whole body is kept, not just the
 * messages' JSON: joining a head to ~50 KB of messages allocated and copied a fresh buffer per request, which was most
 * of the request's CPU and garbage (issue #16's profile). The head (the conversation's fields, a few hundred bytes) is
 * built per request and compared, so a changed title or flag is never served stale. A store that hands out a new array
 * each time (PostgreSQL) just misses; the weak map forgets an array once no one holds it.
 */
import { storedJsonArray } from '../../core/plugin-api/index.ts';

const cache = new WeakMap<object, { head: string; body: Buffer }>();

/**
 * `head` is the JSON of the response object without its messages (`{"success":true,"conversation":{…}}`); the body is
 * that object with `"messages":[…]` added as its last field.
 */
export function conversationBody(head: string, messages: ReadonlyArray<unknown>): Buffer {
  const hit = cache.get(messages);
  if (hit && hit.head === head) return hit.body;
  // The messages' JSON from the texts the store wrote them with, where it has them (the same bytes as JSON.stringify).
  const body = Buffer.from(`${head.slice(0, -1)},"messages":${storedJsonArray(messages as ReadonlyArray<object>)}}`, 'utf8');
  if (Object.isFrozen(messages)) cache.set(messages, { head, body });
  return body;
}
