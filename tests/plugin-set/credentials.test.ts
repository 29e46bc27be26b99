/**
 * The credentials vault: encrypted at rest (no plaintext in the store; key file mode 600 outside it), credential_read
 * asks for approval, one user's credentials are invisible to another, a record moved into another user's vault does
 * not decrypt, and the secret never appears in the server log.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type SseEvent, type TestServer } from '../helpers/server.ts';
import { chatAnswering, login, signupPro, tool } from './helpers.ts';

const SECRET = 'hunter2-Sup3rSecret-value';
let s: TestServer;
let admin: { token: string; user: any; email: string; password: string };
let alice: { token: string; user: any; email: string; password: string };
let bob: { token: string; user: any; email: string; password: string };

before(async () => {
  s = await startServer({ env: { LOG_LEVEL: 'debug' } });
  admin = await s.signup();
  await s.api('POST', '/api/config/settings', { token: admin.token, body: { approval_timeout_ms: 5000 } });
  alice = await signupPro(s, admin.token);
  bob = await signupPro(s, admin.token);
});
after(() => s.dispose());

/** credential_read as `token`, answering its approval with `approve`. */
async function readWith(token: string, service: string, approve: boolean) {
  const { approvals, events } = await chatAnswering(s, token, `/tool credential_read {"service":"${service}"}`, approve);
  return { approvals, result: events.find((e) => e.event === 'tool_result')!.data };
}

test('write, list, read with approval, delete — encrypted at rest with a key file of mode 600', async () => {
  assert.deepEqual(await tool(s, alice.token, 'credential_write', { service: 'GitHub', content: `- user: alice\n- token: ${SECRET}` }), { ok: true, service: 'github' });
  const list = await tool(s, alice.token, 'credential_list');
  assert.deepEqual(list.services, ['github']);

  const denied = await readWith(alice.token, 'github', false);
  assert.equal(denied.approvals.length, 1);
  assert.equal(denied.result.ok, false);
  assert.doesNotMatch(JSON.stringify(denied.result), new RegExp(SECRET));
  const allowed = await readWith(alice.token, 'github', true);
  assert.equal(allowed.approvals.length, 1);
  assert.equal(allowed.result.ok, true);
  assert.match(allowed.result.result.content, new RegExp(SECRET));

  const storeDir = path.join(s.dataDir, 'store', 'credentials');
  for (const f of readdirSync(storeDir)) assert.doesNotMatch(readFileSync(path.join(storeDir, f), 'utf8'), /hunter2|alice/);
  const keyFile = path.join(s.dataDir, 'credentials.key');
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);

  const http = await s.api('GET', '/api/credentials/github', { token: alice.token });
  assert.equal(http.body.content.includes(SECRET), true);
  assert.equal(http.headers.get('cache-control'), 'no-store');
  assert.equal((await s.api('PUT', '/api/credentials/aws', { token: alice.token, body: { content: 'key: abc' } })).status, 200);
  assert.equal((await s.api('PUT', '/api/credentials/aws', { token: alice.token, body: { content: '' } })).status, 400);
  assert.equal((await tool(s, alice.token, 'credential_delete', { service: 'aws' })).deleted, 'aws');
  assert.equal((await s.api('DELETE', '/api/credentials/aws', { token: alice.token })).status, 404);
});

test("another user sees none of them and cannot read, overwrite or delete them", async () => {
  assert.equal((await tool(s, bob.token, 'credential_list')).count, 0);
  const read = await readWith(bob.token, 'github', true);
  assert.equal(read.result.ok, false);
  assert.match(read.result.result.error, /No credentials for 'github'/);
  assert.equal((await s.api('GET', '/api/credentials/github', { token: bob.token })).status, 404);
  assert.equal((await s.api('DELETE', '/api/credentials/github', { token: bob.token })).status, 404);
  assert.equal((await s.api('GET', '/api/credentials', { token: bob.token })).body.count, 0);
  assert.equal((await s.api('GET', '/api/credentials/github')).status, 401);
  // Bob writing the same service name makes his own record; Alice's stays.
  await tool(s, bob.token, 'credential_write', { service: 'github', content: 'bob-token' });
  assert.match((await s.api('GET', '/api/credentials/github', { token: alice.token })).body.content, new RegExp(SECRET));
});

test('a sealed record moved into another user\'s vault does not decrypt; the secret is never logged', async () => {
  await s.stop();
  const dir = path.join(s.dataDir, 'store', 'credentials');
  const aliceFile = JSON.parse(readFileSync(path.join(dir, `${alice.user.id}.json`), 'utf8'));
  const bobPath = path.join(dir, `${bob.user.id}.json`);
  const bobFile = JSON.parse(readFileSync(bobPath, 'utf8'));
  bobFile.items = [aliceFile.items.find((d: any) => d.id === 'github')];
  writeFileSync(bobPath, JSON.stringify(bobFile));
  const log = s.output;
  s = await s.restart();
  bob = { ...bob, token: await login(s, bob) };
  const r = await s.api('GET', '/api/credentials/github', { token: bob.token });
  assert.equal(r.status, 500);
  assert.equal(r.body.code, 'CREDENTIAL_UNREADABLE');
  assert.doesNotMatch(r.text, /hunter2/);
  assert.doesNotMatch(log + s.output, /hunter2/, 'the secret reached the log');
});
