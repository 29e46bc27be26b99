/**
 * `GET /api/events`: unnamed frames (what `EventSource.onmessage` receives), `connected` first, events published by a
 * plugin reach only their user, `Last-Event-ID` replays missed events, and the stream needs a signed-in user.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { startServer } from '../helpers/server.ts';
import { pluginsDir, writePlugin } from '../helpers/plugins.ts';

const PUSHER = `
export default {
  name: 'test-pusher',
  version: '1.0.0',
  setup(ctx) {
    ctx.routes.post('/test-push', (_c, { body, user }) => ctx.events.publish(user.id, { type: 'proactive', text: body.text }));
  },
};
`;

/** Open the push stream and collect its messages until `count` arrived. */
interface Collected {
  messages: EventSourceMessage[];
  close: () => void;
  /** Resolves once `count` messages arrived (or the stream ended). */
  wait: Promise<void>;
}

async function collect(url: string, token: string, count: number, lastEventId?: string): Promise<Collected> {
  const controller = new AbortController();
  const res = await fetch(`${url}/api/events`, {
    headers: { authorization: `Bearer ${token}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal: controller.signal,
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const messages: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (m) => void messages.push(m) });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const wait = (async () => {
    while (messages.length < count) {
      const { value, done: end } = await reader.read();
      if (end) break;
      parser.feed(value);
    }
  })();
  return { messages, close: () => controller.abort(), wait };
}

test('push events: connected first, own events only, replay after reconnect, 401 without a token', async () => {
  const dir = pluginsDir();
  writePlugin(dir, 'test-pusher', PUSHER);
  const s = await startServer({ env: { PLUGINS_DIRS: dir } });
  try {
    const alice = await s.signup();
    const bob = await s.signup();
    assert.equal((await fetch(`${s.url}/api/events`)).status, 401);

    const a = (await collect(s.url, alice.token, 2));
    const b = (await collect(s.url, bob.token, 1));
    const pushed = await s.api('POST', '/api/test-push', { token: alice.token, body: { text: 'hello alice' } });
    assert.equal(pushed.status, 200);
    await a.wait;
    a.close();
    assert.equal(a.messages[0].event, undefined, 'frames are unnamed, so EventSource.onmessage sees them');
    assert.equal(JSON.parse(a.messages[0].data).type, 'connected');
    const event = JSON.parse(a.messages[1].data);
    assert.equal(event.type, 'proactive');
    assert.equal(event.text, 'hello alice');
    assert.equal(a.messages[1].id, String(pushed.body.id));

    // Bob's stream saw only its own `connected`.
    await new Promise((r) => setTimeout(r, 200));
    b.close();
    assert.equal(b.messages.length, 1);
    assert.equal(JSON.parse(b.messages[0].data).type, 'connected');

    // A reconnect with the id of the first event gets the ones published after it.
    const second = await s.api('POST', '/api/test-push', { token: alice.token, body: { text: 'while away' } });
    const again = (await collect(s.url, alice.token, 2, String(pushed.body.id)));
    await again.wait;
    again.close();
    assert.equal(JSON.parse(again.messages[1].data).text, 'while away');
    assert.equal(again.messages[1].id, String(second.body.id));
  } finally {
    await s.stop();
  }
});
