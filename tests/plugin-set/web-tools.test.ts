/**
 * web_fetch and web_search through the agent and `/api/web/*`: loopback refused by default and Markdown once the admin
 * allows the host; redirects to loopback, metadata and IPv4-mapped addresses refused at every hop; size bounds; the
 * three engines against local stand-ins in their wire formats.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { login, pluginSettings, signupPro, tool } from './helpers.ts';
import { startWebStandIn, type StandIn } from './web-stand-ins.ts';

let s: TestServer;
let web: StandIn;
let admin: { token: string; user: any; email: string; password: string };
let user: { token: string; user: any; email: string; password: string };

before(async () => {
  web = await startWebStandIn();
  s = await startServer();
  admin = await s.signup();
  user = await signupPro(s, admin.token);
});
after(async () => {
  await s.dispose();
  await web.close();
});

test('a loopback page is refused by default, after DNS too, and never requested', async () => {
  const before = web.requests.length;
  for (const url of [`${web.url}/article`, `http://localhost:${web.port}/article`, `http://[::1]:${web.port}/`, `http://[::ffff:127.0.0.1]:${web.port}/article`,
    `http://2130706433:${web.port}/article`, 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/', 'http://[fd00::1]/']) {
    const r = await tool(s, user.token, 'web_fetch', { url }, false);
    assert.equal(r.ok, false, url);
    assert.match(r.result.error, /not allowed: it is a loopback, private/, url);
  }
  assert.equal(web.requests.length, before, 'a refused fetch reached the server');
  const http = await s.api('POST', '/api/web/fetch', { token: user.token, body: { url: `${web.url}/article` } });
  assert.equal(http.status, 403);
  assert.equal(http.body.code, 'PRIVATE_ADDRESS_BLOCKED');
  for (const url of ['file:///etc/passwd', 'ftp://example.org/', 'not a url', `http://user:pw@localhost:${web.port}/`]) {
    const bad = await s.api('POST', '/api/web/fetch', { token: user.token, body: { url } });
    assert.equal(bad.status, 400, url);
    assert.equal(bad.body.code, 'INVALID_URL');
  }
  // Only the admin may allow hosts.
  assert.equal((await s.api('POST', '/api/config/settings', { token: user.token, body: { 'web-tools': { web_allow_private_hosts: ['localhost'] } } })).status, 403);
});

test('once the admin allows the host, web_fetch returns readable Markdown', async () => {
  await pluginSettings(s, admin.token, 'web-tools', { web_allow_private_hosts: ['localhost'] });
  const r = await tool(s, user.token, 'web_fetch', { url: `http://localhost:${web.port}/to-article`, prompt: 'what do otters eat?' });
  assert.equal(r.title, 'Otters of the North');
  assert.equal(r.status_code, 200);
  assert.equal(r.url, `http://localhost:${web.port}/article`);
  assert.match(r.content, /River otters are semi-aquatic mammals/);
  assert.match(r.content, /-\s+Rivers/);
  assert.match(r.content, /## Habitat/);
  assert.match(r.content, /\[Read more\]\(http:\/\/localhost:\d+\/more\)/);
  assert.doesNotMatch(r.content, /tracking|<p>|Shop/);
  assert.equal(r.prompt, 'what do otters eat?');
  const plain = await s.api('POST', '/api/web/fetch', { token: user.token, body: { url: `http://localhost:${web.port}/plain` } });
  assert.equal(plain.body.content, 'just text');
  const image = await s.api('POST', '/api/web/fetch', { token: user.token, body: { url: `http://localhost:${web.port}/image` } });
  assert.equal(image.status, 415);
  const big = await s.api('POST', '/api/web/fetch', { token: user.token, body: { url: `http://localhost:${web.port}/big` } });
  assert.equal(big.status, 200);
  assert.equal(big.body.truncated, true);
  assert.ok(big.body.content.length < 21_000);
});

test('redirects to private addresses are refused at the hop, even from an allowed host', async () => {
  const before = web.requests.filter((r) => r.path === '/article').length;
  for (const hop of ['to-loopback', 'to-metadata', 'to-mapped']) {
    const r = await s.api('POST', '/api/web/fetch', { token: user.token, body: { url: `http://localhost:${web.port}/${hop}` } });
    assert.equal(r.status, 403, `${hop}: ${r.text}`);
    assert.equal(r.body.code, 'PRIVATE_ADDRESS_BLOCKED');
  }
  assert.equal(web.requests.filter((r) => r.path === '/article').length, before, 'a redirect target was requested');
  const loop = await s.api('POST', '/api/web/fetch', { token: user.token, body: { url: `http://localhost:${web.port}/loop` } });
  assert.equal(loop.status, 502);
  assert.equal(loop.body.code, 'TOO_MANY_REDIRECTS');
});

test('web_search: DuckDuckGo HTML by default, SearXNG and Brave when configured', async () => {
  await pluginSettings(s, admin.token, 'web-tools', { duckduckgo_url: web.url, brave_url: web.url });
  const ddg = await tool(s, user.token, 'web_search', { query: 'otters', max_results: 3 });
  assert.equal(ddg.engine, 'duckduckgo');
  assert.equal(ddg.results.length, 3);
  assert.deepEqual(ddg.results[0], { title: 'Result 1 for otters', url: 'https://example.org/1', snippet: 'Snippet 1 about otters' });
  assert.equal(web.requests.at(-1)!.method, 'POST');

  await pluginSettings(s, admin.token, 'web-tools', { searxng_url: web.url });
  const searx = await tool(s, user.token, 'web_search', { query: 'rivers' });
  assert.equal(searx.engine, 'searxng');
  assert.deepEqual(searx.results.map((r: any) => r.title), ['Searx 1 rivers', 'Searx 2 rivers']);

  await pluginSettings(s, admin.token, 'web-tools', { search_engine: 'brave' });
  const noKey = await tool(s, user.token, 'web_search', { query: 'x' }, false);
  assert.equal(noKey.ok, false);
  assert.match(noKey.result.error, /BRAVE_API_KEY is not set/);
  const keys = await s.api('POST', '/api/keys', { token: admin.token, body: { BRAVE_API_KEY: 'brave-test-key' } });
  if (keys.status !== 200) {
    // The keys endpoint may accept only declared names: restart with the key in the environment instead.
    s = await s.restart({ BRAVE_API_KEY: 'brave-test-key' });
    admin = { ...admin, token: await login(s, admin) };
    user = { ...user, token: await login(s, user) };
  }
  const brave = await tool(s, user.token, 'web_search', { query: 'otters' });
  assert.equal(brave.engine, 'brave');
  assert.deepEqual(brave.results, [{ title: 'Brave otters', url: 'https://brave.example/1', snippet: 'a brave result' }]);
  const bad = await tool(s, user.token, 'web_search', { query: 'x', max_results: 500 }, false);
  assert.equal(bad.ok, false);
});
