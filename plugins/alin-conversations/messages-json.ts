/**
 * The JSON of a conversation's messages, remembered per snapshot. The store hands out the same frozen array until the
 * conversation changes, so a conversation read again and again (a client polling, several tabs) is serialised once per
 * version instead of on every request — with 100 messages that serialisation and its UTF-8 encoding were most of
 * `GET /api/conversations/:id` (issue #16's profile). A store that hands out a new array each time (PostgreSQL) just
 * misses; the weak map forgets an array once no one holds it.
 */
const cache = new WeakMap<object, Buffer>();

export function messagesJson(messages: ReadonlyArray<unknown>): Buffer {
  let json = cache.get(messages);
  if (!json) {
    json = Buffer.from(JSON.stringify(messages), 'utf8');
    if (Object.isFrozen(messages)) cache.set(messages, json);
  }
  return json;
}

/** The end of the response object after the messages. */
export const CLOSE = Buffer.from('}');
