import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import vm from 'node:vm';
import { lastResortCollector, settleHeapWhenQuiet, type HeapSettleOutcome } from './heap-settle.ts';

/** A server whose `/hold` requests stay open until `release()`; every other request is answered at once. */
async function holdingServer() {
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => (req.url === '/hold' ? held.push(res) : res.end('ok')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    url,
    release: () => held.splice(0).forEach((res) => res.end('done')),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const outcomeOf = () => {
  let resolve!: (o: HeapSettleOutcome) => void;
  const promise = new Promise<HeapSettleOutcome>((r) => (resolve = r));
  return { promise, report: resolve };
};

test('collects once, after the server has been quiet', async () => {
  const s = await holdingServer();
  let collections = 0;
  const outcome = outcomeOf();
  settleHeapWhenQuiet(s.server, { quietMs: 20, collect: () => collections++, report: outcome.report });
  await (await fetch(`${s.url}/`)).text();
  const result = await outcome.promise;
  assert.equal(result.settled, true);
  assert.equal(collections, 1);
  await (await fetch(`${s.url}/`)).text(); // a request after the collection starts nothing new
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(collections, 1);
  await s.close();
});

test('waits while a request is in flight, and collects once it is done', async () => {
  const s = await holdingServer();
  let collections = 0;
  const outcome = outcomeOf();
  settleHeapWhenQuiet(s.server, { quietMs: 20, collect: () => collections++, report: outcome.report });
  const answer = fetch(`${s.url}/hold`).then((r) => r.text());
  await new Promise((r) => setTimeout(r, 150)); // several quiet periods pass with the request open
  assert.equal(collections, 0, 'no collection while a request is in flight');
  s.release();
  assert.equal(await answer, 'done');
  assert.equal((await outcome.promise).settled, true);
  assert.equal(collections, 1);
  await s.close();
});

test('a server that is never quiet is left alone', async () => {
  const s = await holdingServer();
  let collections = 0;
  const outcome = outcomeOf();
  settleHeapWhenQuiet(s.server, { quietMs: 20, giveUpMs: 100, collect: () => collections++, report: outcome.report });
  const answer = fetch(`${s.url}/hold`).then((r) => r.text());
  assert.deepEqual(await outcome.promise, { settled: false, reason: 'busy' });
  assert.equal(collections, 0);
  s.release();
  await answer;
  await s.close();
});

test('stopping before the quiet moment cancels the collection', async () => {
  const s = await holdingServer();
  let collections = 0;
  const outcome = outcomeOf();
  const stop = settleHeapWhenQuiet(s.server, { quietMs: 20, collect: () => collections++, report: outcome.report });
  stop();
  assert.deepEqual(await outcome.promise, { settled: false, reason: 'stopped' });
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(collections, 0);
  await s.close();
});

test('the collector runs V8’s collection without leaving a gc global to other contexts', () => {
  const collect = lastResortCollector();
  assert.equal(typeof collect, 'function');
  collect!();
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
  assert.equal(vm.runInNewContext('typeof gc'), 'undefined');
});
