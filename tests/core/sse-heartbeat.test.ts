/**
 * SSE heartbeats: every open stream gets `: heartbeat` comments from one shared timer, which keeps going while any
 * stream is open and starts again for a stream opened after all others closed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createParser } from 'eventsource-parser';
import { startServer } from '../helpers/server.ts';

/** Open the push stream; `heartbeats(n)` resolves once n more heartbeat comments arrived. */
async function open(url: string, token: string) {
  const controller = new AbortController();
  const res = await fetch(`${url}/api/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  assert.equal(res.status, 200);
  let seen = 0;
  let waiter: { until: number; resolve: () => void } | undefined;
  const parser = createParser({
    onEvent: () => {},
    onComment: (comment) => {
      if (comment.trim() !== 'heartbeat') return;
      seen++;
      if (waiter && seen >= waiter.until) waiter.resolve();
    },
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) return;
      parser.feed(value);
    }
  })();
  return {
    heartbeats: (n: number) => new Promise<void>((resolve) => (waiter = { until: seen + n, resolve })),
    close: () => controller.abort(),
  };
}

test('heartbeats reach every open stream from one timer, after others close, and again for a new stream', { timeout: 30_000 }, async () => {
  const s = await startServer({ env: { SSE_HEARTBEAT_MS: '100' } });
  try {
    const { token } = await s.signup();
    const a = await open(s.url, token);
    const b = await open(s.url, token);
    await Promise.all([a.heartbeats(1), b.heartbeats(1)]);
    a.close();
    // The timer is shared: closing one stream must not stop the others' heartbeats.
    await b.heartbeats(2);
    b.close();
    // Every stream closed (the timer stopped); a new one starts it again.
    await new Promise((r) => setTimeout(r, 300));
    const c = await open(s.url, token);
    await c.heartbeats(2);
    c.close();
  } finally {
    await s.dispose();
  }
});
