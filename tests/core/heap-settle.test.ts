/**
 * The start-up heap settle (core/heap-settle.ts, issue #16's idle RSS): a started server that goes quiet runs one
 * memory-reducing collection, which gives back heap that start-up grew (its report, at debug level, says how much);
 * `HEAP_SETTLE=0` turns it off. Either way the server answers as before.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';

/** The server's log line of the settle, once it is there. */
async function settleReport(s: TestServer): Promise<Record<string, any>> {
  for (;;) {
    const line = s.output.split('\n').find((l) => l.includes('start-up heap'));
    if (line) return JSON.parse(line);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a quiet server gives back the heap its start grew, and keeps serving', async () => {
  const s = await startServer({ env: { LOG_LEVEL: 'debug' } });
  try {
    const user = await s.signup();
    const report = await settleReport(s);
    assert.equal(report.msg, 'start-up heap settled');
    assert.equal(report.settled, true);
    assert.ok(report.heapAfter < report.heapBefore, `heap ${report.heapBefore} → ${report.heapAfter} bytes`);
    const me = await s.api('GET', '/api/auth/me', { token: user.token });
    assert.equal(me.status, 200);
  } finally {
    await s.dispose();
  }
});

test('HEAP_SETTLE=0 leaves the heap alone', async () => {
  const s = await startServer({ env: { LOG_LEVEL: 'debug', HEAP_SETTLE: '0' } });
  try {
    const user = await s.signup();
    await new Promise((r) => setTimeout(r, 1_000)); // more than three quiet periods
    assert.equal(s.output.includes('start-up heap'), false);
    assert.equal((await s.api('GET', '/api/auth/me', { token: user.token })).status, 200);
  } finally {
    await s.dispose();
  }
});
