/**
 * Update checks (plugin `updater`) against a local release feed: the timed first check, update_available true/false
 * by semantic version, GitHub-shaped answers, feed errors, admin only; plus the version comparison itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { sendJson, startFakeServer, type FakeServer } from '../fakes/server.ts';
import { compareVersions } from '../../plugins/updater/semver.ts';

let s: TestServer;
let feed: FakeServer;
let admin: { token: string };
let answer: { status: number; body: unknown } = { status: 200, body: { version: '99.0.0', notes: 'N'.repeat(800), url: 'https://example.com/releases/99.0.0' } };
let current = '';

const status = async () => (await s.api('GET', '/api/update-status', { token: admin.token })).body;

/** Trigger a check and wait until it has finished. */
async function check(): Promise<any> {
  const before = feed.requests.length;
  const previous = (await status()).last_checked;
  const r = await s.api('POST', '/api/update-trigger', { token: admin.token });
  assert.equal(r.status, 200);
  assert.equal(r.body.ok, true);
  assert.equal(typeof r.body.message, 'string');
  for (let i = 0; i < 50; i++) {
    const st = await status();
    if (feed.requests.length > before && st.last_checked && st.last_checked !== previous) return st;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('check did not finish');
}

describe('updater', () => {
  before(async () => {
    feed = await startFakeServer((_req, res) => sendJson(res, answer.status, answer.body));
    s = await startServer({ env: { UPDATE_FEED_URL: `${feed.url}/latest.json`, UPDATE_FIRST_CHECK_MS: '1500' } });
    admin = await s.signup();
    current = (await s.api('GET', '/api/status')).body.version;
  });
  after(async () => {
    await s?.dispose();
    await feed?.close();
  });

  it('the first check runs by itself shortly after start', async () => {
    let st = await status();
    assert.equal(st.current_version, current);
    for (let i = 0; i < 60 && !st.last_checked; i++) {
      await new Promise((res) => setTimeout(res, 100));
      st = await status();
    }
    assert.ok(st.last_checked, 'checked');
    assert.ok(!Number.isNaN(Date.parse(st.last_checked)));
    assert.equal(feed.requests[0].path, '/latest.json');
    assert.equal(st.latest_version, '99.0.0');
    assert.equal(st.update_available, true);
    assert.equal(st.release_url, 'https://example.com/releases/99.0.0');
    assert.equal(st.release_notes.length, 500);
    assert.equal(st.error, null);
    assert.deepEqual(Object.keys(st).sort(), ['current_version', 'error', 'last_checked', 'latest_version', 'release_notes', 'release_url', 'update_available']);
  });

  it('the same or an older version → update_available false', async () => {
    answer = { status: 200, body: { version: current } };
    let st = await check();
    assert.equal(st.update_available, false);
    assert.equal(st.latest_version, current);
    answer = { status: 200, body: { version: '0.0.1' } };
    st = await check();
    assert.equal(st.update_available, false);
  });

  it('a GitHub release answer is understood', async () => {
    answer = { status: 200, body: { tag_name: 'v99.1.0', html_url: 'https://github.com/x/aion/releases/tag/v99.1.0', body: 'Notes' } };
    const st = await check();
    assert.equal(st.latest_version, '99.1.0');
    assert.equal(st.update_available, true);
    assert.equal(st.release_url, 'https://github.com/x/aion/releases/tag/v99.1.0');
    assert.equal(st.release_notes, 'Notes');
  });

  it('feed failures land in error', async () => {
    answer = { status: 404, body: { error: 'Not found' } };
    let st = await check();
    assert.match(st.error, /404/);
    answer = { status: 200, body: { nothing: true } };
    st = await check();
    assert.match(st.error, /no version/);
    answer = { status: 200, body: { version: 'banana' } };
    st = await check();
    assert.match(st.error, /not a semantic version/);
  });

  it('admin only', async () => {
    const user = await s.signup();
    assert.equal((await s.api('GET', '/api/update-status', { token: user.token })).status, 403);
    assert.equal((await s.api('POST', '/api/update-trigger', { token: user.token })).status, 403);
  });
});

describe('version comparison', () => {
  it('orders versions semantically', () => {
    assert.equal(compareVersions('1.10.0', '1.9.9'), 1);
    assert.equal(compareVersions('v2.0.0', '2.0.0'), 0);
    assert.equal(compareVersions('1.0.0-rc.1', '1.0.0'), -1);
    assert.equal(compareVersions('1.0.0-rc.10', '1.0.0-rc.2'), 1);
    assert.equal(compareVersions('1.0.0-alpha', '1.0.0-alpha.1'), -1);
    assert.equal(compareVersions('0.1.0', '0.1.1'), -1);
    assert.equal(compareVersions('x', '1.0.0'), undefined);
  });
});
