/**
 * Slow-body defence: a client that sends its headers and then trickles the body a byte at a time is cut off once
 * `BODY_TIMEOUT_MS` has passed (Node answers 408 and closes the socket), while a normal request still works.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
before(async () => (s = await startServer({ env: { BODY_TIMEOUT_MS: '800' } })));
after(() => s.dispose());

/** Send headers promising `length` bytes, then one byte every `everyMs`; resolves with what the server said on close. */
function trickle(length: number, everyMs: number): Promise<{ answer: string; bytesSent: number }> {
  const { hostname, port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let answer = '';
    let bytesSent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      socket.write(`POST /api/auth/login HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`);
      timer = setInterval(() => {
        if (bytesSent >= length - 1 || socket.destroyed) return; // never complete the body
        socket.write(' ');
        bytesSent++;
      }, everyMs);
    });
    socket.on('data', (d) => (answer += d));
    socket.on('error', () => {}); // a reset also counts as closed
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, bytesSent });
    });
    setTimeout(() => reject(new Error('the trickling connection was never closed')), 60_000).unref();
  });
}

test('a trickled body is cut off with 408 before it is complete', async () => {
  // 400 bytes at one per 50 ms would take 20 s; the limit is 0.8 s.
  const { answer, bytesSent } = await trickle(400, 50);
  assert.ok(bytesSent < 399, `closed while the body was still incomplete (${bytesSent} bytes sent)`);
  assert.match(answer, /^HTTP\/1\.1 408/);
  const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
  assert.equal(body.code, 'REQUEST_TIMEOUT');
});

test('ten trickling connections at once are all closed; normal requests keep working', async () => {
  const all = await Promise.all(Array.from({ length: 10 }, () => trickle(400, 50)));
  assert.equal(all.filter((r) => r.bytesSent < 399).length, 10);
  const ok = await s.api('GET', '/api/health');
  assert.equal(ok.status, 200);
});
