/**
 * The request path after issue #16's rework (core/http/outer-layer.ts, route-dispatch.ts): routes are dispatched
 * through one pre-built middleware each with remembered matches, so these check what a client sees is what @koa/router
 * gave — decoded parameters, first registered route wins, HEAD on GET routes, 404 for other methods, root routes,
 * the metrics' route label — that a remembered match never leaks one request's changes into the next, and the outer
 * layer's request ids, security headers and error shapes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pluginsDir, writePlugin } from '../helpers/plugins.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const PROBE = `export default { name: 'probe', version: '1.0.0', setup(ctx) {
  ctx.routes.get('/probe/fixed/:b', () => ({ which: 'fixed' }));
  ctx.routes.get('/probe/:a/:b', (c, { params }) => {
    const seen = { ...params, which: 'param', route: c._matchedRoute };
    params.a = 'changed by the handler';
    c.params.b = 'changed too';
    return seen;
  });
  ctx.routes.post('/probe/:a/:b', { access: 'public' }, (_c, { params, body }) => ({ params, body }));
  ctx.routes.get('/probe-root', { root: true, access: 'public' }, () => ({ root: true }));
  ctx.routes.get('/probe-query', { access: 'public' }, (_c, { query }) => ({ query, own: Object.getPrototypeOf(query) === Object.prototype }));
  ctx.routes.get('/probe-type/:t', { access: 'public' }, (c, { params }) => {
    if (params.t !== 'none') c.type = params.t === 'vnd' ? 'application/vnd.api+json' : 'text/plain';
    c.body = { t: params.t };
  });
} };`;

let s: TestServer;
let token: string;
before(async () => {
  const dir = pluginsDir();
  writePlugin(dir, 'probe', PROBE);
  s = await startServer({ env: { PLUGINS_DIRS: dir } });
  ({ token } = await s.signup());
});
after(() => s?.dispose());

test('parameters arrive decoded, and a handler changing them does not change the next request’s', async () => {
  for (let i = 0; i < 3; i++) {
    const r = await s.api('GET', '/api/probe/x%20y/z%2Fw', { token });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { a: 'x y', b: 'z/w', which: 'param', route: '/api/probe/:a/:b' });
  }
});

test('the first registered route that matches answers; HEAD is answered by the GET route; other methods get the JSON 404', async () => {
  assert.equal((await s.api('GET', '/api/probe/fixed/1', { token })).body.which, 'fixed');
  const head = await fetch(`${s.url}/api/probe/a/b`, { method: 'HEAD', headers: { authorization: `Bearer ${token}` } });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
  for (const method of ['PUT', 'PATCH', 'DELETE']) {
    const r = await s.api(method, '/api/probe/a/b', { token });
    assert.equal(r.status, 404, method);
    assert.equal(r.body.code, 'NOT_FOUND');
  }
  assert.deepEqual((await s.api('POST', '/api/probe/p/q', { body: { n: 1 } })).body, { params: { a: 'p', b: 'q' }, body: { n: 1 } });
  assert.deepEqual((await s.api('GET', '/probe-root')).body, { root: true });
});

test('an unauthenticated call of a user route is 401 whether or not its match is remembered', async () => {
  for (let i = 0; i < 2; i++) {
    const r = await s.api('GET', '/api/probe/a/b');
    assert.equal(r.status, 401);
    assert.equal(r.body.code, 'UNAUTHORIZED');
    assert.equal((await s.api('GET', '/api/probe/a/b', { token: 'not-a-token' })).body.code, 'INVALID_TOKEN');
  }
});

test('more distinct paths than the match cache holds all get their own parameters', async () => {
  for (let i = 0; i < 2100; i += 1) {
    const r = await s.api('GET', `/api/probe/id-${i}/v${i % 7}`, { token });
    if (r.body.a !== `id-${i}` || r.body.b !== `v${i % 7}`) assert.fail(`request ${i}: ${r.text}`);
  }
});

test('malformed %-escapes never become a 500: a route keeps the raw text, other paths are the JSON 404', async () => {
  const inRoute = await s.api('GET', '/api/probe/%E0%A4%A/x', { token });
  assert.equal(inRoute.status, 200);
  assert.equal(inRoute.body.a, '%E0%A4%A');
  const attacks = ['/%E0%A4%A', '/%', '/chat%ZZ', '/%C0%AF..%C0%AF', '/assets/%FF.js'];
  for (const p of attacks) {
    const r = await fetch(s.url + p);
    assert.equal(r.status, 404, p);
    assert.equal((await r.json()).code, 'NOT_FOUND', p);
  }
});

test('request ids: a given one is echoed (at most 64 characters), else one is made; security headers on every answer', async () => {
  const given = await fetch(`${s.url}/api/health`, { headers: { 'x-request-id': 'r'.repeat(200) } });
  assert.equal(given.headers.get('x-request-id'), 'r'.repeat(64));
  const made = await fetch(`${s.url}/api/nope`);
  assert.match(made.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  for (const r of [given, made, await fetch(`${s.url}/api/probe/a/b`)]) {
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
  }
});

test('an object body is JSON with Koa’s type: set for the first answer and every later one; a JSON type of the route’s own stays, another is replaced', async () => {
  for (const t of ['none', 'vnd', 'none', 'text', 'none', 'vnd', 'text']) {
    const r = await s.api('GET', `/api/probe-type/${t}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { t });
    assert.equal(r.headers.get('content-type'), t === 'vnd' ? 'application/vnd.api+json' : 'application/json; charset=utf-8', t);
    assert.equal(Number(r.headers.get('content-length')), Buffer.byteLength(r.text), t);
  }
});

test('a route’s query is the parsed query string as an object of its own, {} without one or with a bare ?', async () => {
  assert.deepEqual((await s.api('GET', '/api/probe-query?x=1&y=a%20b&x=2')).body, { query: { x: ['1', '2'], y: 'a b' }, own: true });
  assert.deepEqual((await s.api('GET', '/api/probe-query?')).body, { query: {}, own: true });
  assert.deepEqual((await s.api('GET', '/api/probe-query')).body, { query: {}, own: true });
});

test('a body nested too deep is refused before any route sees it; malformed JSON is a 400 INVALID_JSON', async () => {
  const deep = '['.repeat(100) + ']'.repeat(100);
  const r = await s.api('POST', '/api/probe/a/b', { raw: deep });
  assert.equal(r.status, 400);
  assert.equal(r.body.code, 'JSON_TOO_DEEP');
  const bad = await s.api('POST', '/api/probe/a/b', { raw: '{"a":' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.code, 'INVALID_JSON');
});

test('the HTTP metrics count matched routes by their pattern', async () => {
  await s.api('GET', '/api/probe/m1/m2', { token });
  const text = (await s.api('GET', '/metrics', { token })).text;
  const line = text.split('\n').find((l) => l.startsWith('aion_http_requests_total{') && l.includes('route="/api/probe/:a/:b"') && l.includes('method="GET"') && l.includes('status="200"'));
  assert.ok(line, 'a counter line for the route pattern');
  assert.ok(Number(line!.split(' ').pop()) >= 2100);
  assert.ok(!/route="\/api\/probe\/m1/.test(text), 'raw paths never become labels');
  assert.ok(text.includes('aion_http_request_duration_seconds_count{method="GET",route="/api/probe/:a/:b",status="200"}'));
});

test('request counts read between scrapes add up exactly, and agree with the duration histogram', async () => {
  const value = (text: string, metric: string) =>
    Number(text.split('\n').find((l) => l.startsWith(`${metric}{method="GET",route="/api/probe/:a/:b",status="200"}`))?.split(' ').pop() ?? 0);
  const scrape = async () => (await s.api('GET', '/metrics', { token })).text;
  const before = await scrape();
  for (let i = 0; i < 7; i++) await s.api('GET', '/api/probe/x/n', { token });
  const first = await scrape();
  assert.equal(value(first, 'aion_http_requests_total') - value(before, 'aion_http_requests_total'), 7);
  const again = await scrape(); // nothing new on this route: a second read adds nothing
  assert.equal(value(again, 'aion_http_requests_total'), value(first, 'aion_http_requests_total'));
  for (let i = 0; i < 3; i++) await s.api('GET', '/api/probe/y/n', { token });
  const last = await scrape();
  assert.equal(value(last, 'aion_http_requests_total') - value(first, 'aion_http_requests_total'), 3);
  assert.equal(value(last, 'aion_http_requests_total'), value(last, 'aion_http_request_duration_seconds_count'));
});
