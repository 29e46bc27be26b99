/**
 * Google OAuth (plugin `google-oauth`) against a local stand-in of Google's token endpoint, reached by the real
 * googleapis client: consent URL with PKCE and signed state, callback, forged/reused/expired state, sealed tokens,
 * status, invalid_grant → reauthorize, disconnect.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { startFakeGoogleOAuth, type FakeGoogleOAuth } from '../fakes/google-oauth.ts';
import { StateStore, STATE_TTL_MS } from '../../plugins/google-oauth/state.ts';
import { loadKeys } from '../../plugins/google-oauth/keys.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

let s: TestServer;
let google: FakeGoogleOAuth;
let admin: { token: string };

/** Start a flow and return the consent URL's parameters. */
async function start(): Promise<URLSearchParams> {
  const r = await s.api('GET', '/api/oauth/google/start', { token: admin.token });
  assert.equal(r.status, 200, r.text);
  return new URL(r.body.url).searchParams;
}

const callback = (q: Record<string, string>, headers: Record<string, string> = {}) =>
  s.api('GET', `/api/oauth/google/callback?${new URLSearchParams(q)}`, { headers });

async function connect(expiresIn = 3599): Promise<void> {
  const p = await start();
  const code = google.issueCode(p.get('code_challenge')!, { expiresIn });
  const r = await callback({ code, state: p.get('state')! });
  assert.equal(r.status, 200, r.text);
}

describe('google oauth', () => {
  before(async () => {
    google = await startFakeGoogleOAuth({ clientId: 'test-client.apps.googleusercontent.com', clientSecret: 'GOCSPX-test-secret' });
    s = await startServer({ env: google.env });
    admin = await s.signup();
  });
  after(async () => {
    await s?.dispose();
    await google?.close();
  });

  it('status before connecting: configured, not connected', async () => {
    const r = await s.api('GET', '/api/oauth/google/status', { token: admin.token });
    assert.equal(r.status, 200);
    assert.equal(r.body.configured, true);
    assert.equal(r.body.connected, false);
    assert.equal(r.body.status, 'disconnected');
  });

  it('start and status are admin only', async () => {
    const user = await s.signup();
    assert.equal((await s.api('GET', '/api/oauth/google/start', { token: user.token })).status, 403);
    assert.equal((await s.api('GET', '/api/oauth/google/status', { token: user.token })).status, 403);
    assert.equal((await s.api('GET', '/api/oauth/google/start')).status, 401);
  });

  it('start answers a consent URL with state, PKCE S256, client id, redirect URI and scopes', async () => {
    const r = await s.api('GET', '/api/oauth/google/start', { token: admin.token });
    const url = new URL(r.body.url);
    assert.equal(`${url.origin}${url.pathname}`, google.env.GOOGLE_OAUTH_AUTH_URL);
    const p = url.searchParams;
    assert.equal(p.get('client_id'), google.env.GOOGLE_OAUTH_CLIENT_ID);
    assert.equal(p.get('redirect_uri'), `${s.url}/api/oauth/google/callback`);
    assert.equal(p.get('response_type'), 'code');
    assert.equal(p.get('access_type'), 'offline');
    assert.equal(p.get('prompt'), 'consent');
    assert.equal(p.get('code_challenge_method'), 'S256');
    assert.match(p.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
    assert.match(p.get('state')!, /^[\w-]+\.\d+\.[\w-]+$/);
    const scopes = p.get('scope')!.split(' ');
    assert.ok(scopes.includes('https://www.googleapis.com/auth/cloud-platform'));
    assert.ok(scopes.includes('https://www.googleapis.com/auth/generative-language.retriever'));
    assert.ok(!r.body.url.includes('GOCSPX'), 'the client secret never leaves the server');
  });

  it('a forged state → 400 (HTML for the popup, JSON when asked)', async () => {
    const p = await start();
    const state = p.get('state')!;
    const forged = state.slice(0, -4) + (state.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const code = google.issueCode(p.get('code_challenge')!);
    const html = await callback({ code, state: forged });
    assert.equal(html.status, 400);
    assert.match(html.headers.get('content-type')!, /text\/html/);
    assert.match(html.text, /invalid_state/);
    const json = await callback({ code, state: 'nonsense' }, { accept: 'application/json' });
    assert.equal(json.status, 400);
    assert.equal(json.body.code, 'INVALID_STATE');
    assert.equal(google.requests.filter((r) => r.path === '/token').length, 0, 'no exchange for a forged state');
  });

  it('callback exchanges the code (PKCE verified by the token endpoint) and answers a CSP-safe page', async () => {
    const p = await start();
    const code = google.issueCode(p.get('code_challenge')!);
    const r = await callback({ code, state: p.get('state')! });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /window\.opener\.postMessage/);
    assert.match(r.text, /"ok":true/);
    const csp = r.headers.get('content-security-policy')!;
    const script = /<script>([\s\S]*?)<\/script>/.exec(r.text)![1];
    const hash = createHash('sha256').update(script).digest('base64');
    assert.ok(csp.includes(`'sha256-${hash}'`), `CSP allows exactly the page's script: ${csp}`);
    assert.ok(!/unsafe-inline'[^;]*script|script-src[^;]*unsafe-inline/.test(csp));
    const exchange = google.requests.find((x) => x.path === '/token' && x.form.grant_type === 'authorization_code')!;
    assert.equal(exchange.form.redirect_uri, `${s.url}/api/oauth/google/callback`);
    assert.ok(exchange.form.code_verifier.length >= 43);

    // reused state → 400
    const again = await callback({ code: google.issueCode(p.get('code_challenge')!), state: p.get('state')! }, { accept: 'application/json' });
    assert.equal(again.status, 400);
    assert.equal(again.body.code, 'STATE_USED');
  });

  it('status after connecting; tokens sealed at rest, key file mode 600', async () => {
    const r = await s.api('GET', '/api/oauth/google/status', { token: admin.token });
    assert.equal(r.body.connected, true);
    assert.equal(r.body.status, 'connected');
    assert.equal(r.body.email, 'owner@example.com');
    assert.ok(r.body.expiresAt > Date.now() + 3_000_000);
    assert.ok(r.body.scopes.includes('https://www.googleapis.com/auth/cloud-platform'));
    assert.ok(!JSON.stringify(r.body).includes('ya29'), 'no token in the status');

    const storeFiles = readdirSync(path.join(s.dataDir, 'store'), { recursive: true }).map(String).filter((f) => f.includes('google-oauth'));
    assert.ok(storeFiles.length > 0);
    for (const f of storeFiles) {
      const text = readFileSync(path.join(s.dataDir, 'store', f), 'utf8');
      assert.ok(!/ya29\.|1\/\/fake-refresh/.test(text), `plain token in ${f}`);
    }
    const key = path.join(s.dataDir, 'plugins', 'google-oauth', 'oauth.key');
    assert.equal(statSync(key).mode & 0o777, 0o600);
  });

  it('a refresh refused with invalid_grant turns the status to reauthorize', async () => {
    await connect(2); // a 2-second token: refreshed about a second later
    google.revokeAll();
    let status = '';
    for (let i = 0; i < 40 && status !== 'reauthorize'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      status = (await s.api('GET', '/api/oauth/google/status', { token: admin.token })).body.status;
    }
    assert.equal(status, 'reauthorize');
    const r = await s.api('GET', '/api/oauth/google/status', { token: admin.token });
    assert.equal(r.body.connected, false);
    assert.ok(google.requests.some((x) => x.form.grant_type === 'refresh_token'));
  });

  it('a refresh that works keeps the connection, and survives a restart', async () => {
    await connect(2);
    await new Promise((r) => setTimeout(r, 2_500));
    const refreshed = google.requests.filter((x) => x.form.grant_type === 'refresh_token').length;
    assert.ok(refreshed >= 2, 'refreshed again');
    assert.equal((await s.api('GET', '/api/oauth/google/status', { token: admin.token })).body.status, 'connected');
    s = await s.restart();
    const r = await s.api('GET', '/api/oauth/google/status', { token: admin.token });
    assert.equal(r.body.status, 'connected');
    assert.equal(r.body.email, 'owner@example.com');
  });

  it('disconnect forgets and revokes', async () => {
    const r = await s.api('POST', '/api/oauth/google/disconnect', { token: admin.token });
    assert.equal(r.status, 200);
    assert.equal(r.body.ok, true);
    assert.ok(google.requests.some((x) => x.path === '/revoke'));
    const st = await s.api('GET', '/api/oauth/google/status', { token: admin.token });
    assert.equal(st.body.connected, false);
    assert.equal(st.body.status, 'disconnected');
  });
});

describe('oauth state (unit)', () => {
  it('expires after 5 minutes and is single-use', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'oauth-state-'));
    try {
      const map = new Map<string, unknown>();
      const store = { get: async (k: string) => map.get(k) as any, set: async (k: string, v: unknown) => void map.set(k, v), delete: async (k: string) => void map.delete(k) };
      const states = new StateStore(await loadKeys(dir), store);
      const flow = { codeVerifier: 'v'.repeat(64), redirectUri: 'http://x/cb', userId: 'u1' };
      const t0 = Date.now();
      const late = await states.issue(flow, t0);
      assert.equal(await states.consume(late, t0 + STATE_TTL_MS + 1), 'state_expired');
      const ok = await states.issue(flow, t0);
      assert.deepEqual(await states.consume(ok, t0 + 1000), flow);
      assert.equal(await states.consume(ok, t0 + 2000), 'state_used');
      const [n, e, sig] = ok.split('.');
      assert.equal(await states.consume(`${n}.${Number(e) + 1}.${sig}`, t0), 'invalid_state', 'expiry is signed');
      assert.ok(!JSON.stringify([...map.values()]).includes('vvvv'), 'the verifier is sealed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
