import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { Generation } from './generation.ts';
import { trackedObject, trackedProvider, trackedTool } from './tracked.ts';

const gen = () => new Generation('p', '1', '', null, pino({ level: 'silent' }));
const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a replaced generation is unloaded only after its in-flight tool run ends', async () => {
  const g = gen();
  const order: string[] = [];
  g.ledger.unloads.push(() => order.push('unload'));
  let finish!: () => void;
  const tool = trackedTool(g, { name: 't', description: '', input: {}, risk: 'read', run: () => new Promise<void>((r) => (finish = r)).then(() => order.push('tool done')) });
  const running = tool.run({}, {} as any);
  assert.equal(g.inFlight, 1);
  const disposed = g.dispose({ waitForRequests: true });
  await later(20);
  assert.deepEqual(order, [], 'nothing unloaded while the tool runs');
  assert.equal(g.retired, false, 'still accepting the continuation of in-flight work');
  finish();
  await running;
  await disposed;
  assert.deepEqual(order, ['tool done', 'unload']);
});

test('a call that reaches a retired generation fails with PLUGIN_RETIRED, never a crash', async () => {
  const g = gen();
  const tool = trackedTool(g, { name: 't', description: '', input: {}, risk: 'read', run: () => 'ok' });
  assert.equal(await tool.run({}, {} as any), 'ok');
  await g.dispose({ waitForRequests: true });
  await assert.rejects(Promise.resolve().then(() => tool.run({}, {} as any)), { code: 'PLUGIN_RETIRED', status: 503 });
  assert.throws(() => g.timer('timeout', () => {}, 10), { code: 'PLUGIN_RETIRED' });
});

test('a provider stream counts as in flight until it ends, also when the consumer stops early', async () => {
  const g = gen();
  const provider = trackedProvider(g, {
    id: 'x', label: 'X', prefixes: [], models: ['m'], envKeys: [], isConfigured: () => true,
    async *stream() { yield { type: 'text', delta: 'a' } as any; yield { type: 'text', delta: 'b' } as any; },
  });
  assert.equal(provider.isConfigured(), true, 'other members are kept');
  const it = provider.stream({} as any, new AbortController().signal)[Symbol.asyncIterator]();
  await it.next();
  assert.equal(g.inFlight, 1);
  await it.return!(undefined);
  assert.equal(g.inFlight, 0);
  for await (const _ of provider.stream({} as any, new AbortController().signal)) assert.equal(g.inFlight, 1);
  assert.equal(g.inFlight, 0);
});

test('service methods count while their promise is pending; sync throws release the count', async () => {
  const g = gen();
  let resolve!: (v: string) => void;
  const svc = trackedObject(g, { slow: () => new Promise<string>((r) => (resolve = r)), bad: () => { throw new Error('x'); }, value: 7 });
  const p = svc.slow();
  assert.equal(g.inFlight, 1);
  resolve('done');
  assert.equal(await p, 'done');
  assert.throws(() => svc.bad(), /x/);
  assert.equal(g.inFlight, 0);
  assert.equal(svc.value, 7);
});

test('timers started through ctx run tracked and are cleared when the generation unloads', async () => {
  const g = gen();
  let ticks = 0;
  g.timer('interval', () => void ticks++, 5);
  await later(40);
  assert.ok(ticks > 0);
  await g.dispose({ waitForRequests: true });
  const seen = ticks;
  await later(40);
  assert.equal(ticks, seen, 'no tick after unload');
});

test('a route call (enterWith) counts in flight until it settles, holds back the unload, and is refused once retired', async () => {
  const g = gen();
  const order: string[] = [];
  g.ledger.unloads.push(() => order.push('unload'));
  let finish!: (v: string) => void;
  const handler = (a: string, b: number) => new Promise<string>((r) => (finish = r)).then((v) => (order.push('route done'), `${a}${b}${v}`));
  const running = g.enterWith(handler, 'x', 1);
  assert.equal(g.inFlight, 1);
  const disposed = g.dispose({ waitForRequests: true });
  await later(20);
  assert.deepEqual(order, [], 'nothing unloaded while the route runs');
  finish('!');
  assert.equal(await running, 'x1!', 'the handler gets both arguments and its result is returned');
  await disposed;
  assert.deepEqual(order, ['route done', 'unload']);
  assert.equal(g.inFlight, 0);
  await assert.rejects(g.enterWith(handler, 'y', 2), { code: 'PLUGIN_RETIRED', status: 503 });
  // A handler that throws, sync or async, releases its count.
  const h = gen();
  await assert.rejects(h.enterWith(() => { throw new Error('sync'); }, 0, 0), /sync/);
  await assert.rejects(h.enterWith(async () => { throw new Error('async'); }, 0, 0), /async/);
  assert.equal(h.inFlight, 0);
});
