/**
 * Only the panel's own pages fall back to its HTML; every other unknown path is a JSON 404 — API-looking paths,
 * protocol paths (`/v1/...`, `/metrics` when disabled), file-looking paths.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PAGE_LIST } from '../../web/src/page-list.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
before(async () => {
  s = await startServer({ env: { METRICS_ENABLED: '0' } });
});
after(() => s?.dispose());

test("the panel's pages answer its HTML: /, /index.html and every client-side route id", async () => {
  const pages = ['/', '/index.html', ...PAGE_LIST.map((r) => `/${r.id}`), '/plugins/'];
  for (const p of pages) {
    const r = await fetch(s.url + p);
    assert.equal(r.status, 200, p);
    assert.match(r.headers.get('content-type') ?? '', /text\/html/, p);
    assert.match(await r.text(), /<html/i, p);
  }
});

test('every other unknown path is a JSON 404 with code NOT_FOUND', async () => {
  const paths = ['/v1/nope', '/v1', '/metrics', '/api/nope', '/api', '/whatever.json', '/whatever', '/chat/deeper', '/mcpx', '/.env', '/%2e%2e/package.json', '/app-ABCDEFGH.js'];
  for (const p of paths) {
    for (const method of ['GET', 'POST']) {
      const r = await fetch(s.url + p, { method });
      assert.equal(r.status, 404, `${method} ${p}`);
      assert.match(r.headers.get('content-type') ?? '', /application\/json/, `${method} ${p}`);
      const body = await r.json();
      assert.equal(body.code, 'NOT_FOUND', `${method} ${p}`);
      assert.equal(typeof body.error, 'string');
    }
  }
});
