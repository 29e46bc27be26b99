/**
 * The browser on the system Chromium: a local page is refused until the admin allows its host, then opened, read,
 * searched, filled, clicked and screenshotted (saved to the workspace, shown as an image block, served to its owner
 * only); subresources and redirects to private addresses never reach their target; evaluate asks first; users have
 * separate contexts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type SseEvent, type TestServer } from '../helpers/server.ts';
import { chat, chatAnswering, pluginSettings, signupPro, tool } from './helpers.ts';

const PAGE = `<!doctype html><html><head><title>Local Test Page</title></head><body>
<h1>Welcome to the local page</h1><ul><li>alpha</li><li>beta</li><li>gamma</li></ul>
<input id="name"><button id="go" onclick="document.getElementById('out').textContent='Hello, '+document.getElementById('name').value">Go</button>
<p id="out">nothing yet</p></body></html>`;

let s: TestServer;
let site: http.Server;
let port = 0;
const hits: string[] = [];
let admin: { token: string; user: any };
let alice: { token: string; user: any };
let bob: { token: string; user: any };

before(async () => {
  site = http.createServer((req, res) => {
    hits.push(`${req.headers.host} ${req.url}`);
    if (req.url === '/page') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    if (req.url === '/leaky') {
      return void res.writeHead(200, { 'content-type': 'text/html' }).end(`<title>Leaky</title><img src="http://127.0.0.1:${port}/secret.png"><p>leaky page</p>`);
    }
    if (req.url === '/to-loopback') return void res.writeHead(302, { location: `http://127.0.0.1:${port}/page` }).end();
    res.writeHead(404).end('nope');
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  port = (site.address() as AddressInfo).port;
  s = await startServer();
  admin = await s.signup();
  await s.api('POST', '/api/config/settings', { token: admin.token, body: { approval_timeout_ms: 10_000 } });
  alice = await signupPro(s, admin.token);
  bob = await signupPro(s, admin.token);
});
after(async () => {
  await s.dispose();
  site.closeAllConnections();
  site.close();
});

test('a loopback page is refused until the admin allows the host', async () => {
  const r = await tool(s, alice.token, 'browser_open', { url: `http://localhost:${port}/page` }, false);
  assert.equal(r.ok, false);
  assert.match(r.result.error, /not allowed: it is a loopback, private/);
  const scheme = await tool(s, alice.token, 'browser_open', { url: 'file:///etc/passwd' }, false);
  assert.match(scheme.result.error, /Only http and https/);
  assert.equal(hits.length, 0);
});

test('open, read, find, fill, click and screenshot a local page; the screenshot is the owner\'s', async () => {
  await pluginSettings(s, admin.token, 'web-tools', { web_allow_private_hosts: ['localhost'] });
  const opened = await tool(s, alice.token, 'browser_open', { url: `http://localhost:${port}/page` });
  assert.equal(opened.title, 'Local Test Page');
  assert.equal(opened.status, 200);
  const text = await tool(s, alice.token, 'browser_get_text');
  assert.match(text.text, /Welcome to the local page/);
  const found = await tool(s, alice.token, 'browser_find', { selector: 'li' });
  assert.equal(found.count, 3);
  assert.deepEqual(found.samples, ['alpha', 'beta', 'gamma']);
  await tool(s, alice.token, 'browser_fill', { selector: '#name', value: 'Alice' });
  await tool(s, alice.token, 'browser_click', { selector: '#go' });
  assert.match((await tool(s, alice.token, 'browser_get_text')).text, /Hello, Alice/);

  const shot = await chat(s, alice.token, '/tool browser_screenshot {}');
  const result = shot.events.find((e) => e.event === 'tool_result')!.data;
  assert.equal(result.ok, true, JSON.stringify(result));
  const file = path.join(s.dataDir, 'workspaces', alice.user.id, result.result.path);
  assert.deepEqual([...readFileSync(file).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const done = shot.events.find((e) => e.event === 'done')!.data;
  const image = done.response_blocks.find((b: any) => b.type === 'image');
  assert.equal(image.url, result.result.image_url);
  const own = await fetch(s.url + image.url, { headers: { authorization: `Bearer ${alice.token}` } });
  assert.equal(own.status, 200);
  assert.equal(own.headers.get('content-type'), 'image/png');
  assert.equal((await fetch(s.url + image.url, { headers: { authorization: `Bearer ${bob.token}` } })).status, 404);
  assert.equal((await fetch(s.url + image.url)).status, 401);
  assert.equal((await s.api('GET', '/api/browser/screenshots/..%2F..%2Fjwt-secret', { token: alice.token })).status, 404);

  // Bob has a context of his own: not Alice's page.
  const bobText = await tool(s, bob.token, 'browser_get_text');
  assert.equal(bobText.url, 'about:blank');
  assert.doesNotMatch(bobText.text, /Hello, Alice/);
});

test('subresources and redirects to addresses that are not allowed never reach them', async () => {
  const before = hits.filter((h) => h.startsWith('127.0.0.1')).length;
  const leaky = await tool(s, alice.token, 'browser_open', { url: `http://localhost:${port}/leaky` });
  assert.equal(leaky.title, 'Leaky');
  assert.ok(leaky.blocked_hosts?.includes('127.0.0.1'), JSON.stringify(leaky));
  const redirect = await tool(s, alice.token, 'browser_open', { url: `http://localhost:${port}/to-loopback` }, false);
  assert.equal(redirect.ok, false);
  assert.equal(hits.filter((h) => h.startsWith('127.0.0.1')).length, before, 'a request reached 127.0.0.1');
  const meta = await tool(s, alice.token, 'browser_open', { url: 'http://169.254.169.254/latest/meta-data/' }, false);
  assert.match(meta.result.error, /not allowed/);
});

test('browser_evaluate asks for approval; browser_close ends the session', async () => {
  const { approvals, events } = await chatAnswering(s, alice.token, '/tool browser_evaluate {"js":"document.title"}', true);
  assert.equal(approvals.length, 1);
  const result = events.find((e) => e.event === 'tool_result')!.data;
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.equal(typeof result.result.result, 'string');
  assert.equal((await s.api('GET', '/api/browser/status', { token: alice.token })).body.open, true);
  assert.equal((await tool(s, alice.token, 'browser_close')).closed, true);
  assert.equal((await s.api('GET', '/api/browser/status', { token: alice.token })).body.open, false);
  await tool(s, bob.token, 'browser_close');
});
