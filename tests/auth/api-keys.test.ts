/**
 * Personal API keys through the real server: created and shown once, accepted as a bearer token like a JWT, listed
 * without the secret, one user's keys invisible and unrevocable to another, revoked → 401, and never written to
 * DATA_DIR in the clear (only a SHA-256), surviving a restart.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
let alice: Awaited<ReturnType<TestServer['signup']>>;
let bob: Awaited<ReturnType<TestServer['signup']>>;
before(async () => {
  s = await startServer();
  alice = await s.signup();
  bob = await s.signup();
});
after(() => s.dispose());

const create = (token: string, name: string) => s.api('POST', '/api/auth/api-keys', { token, body: { name } });

test('a key is shown once, works as a bearer token on normal endpoints, and the list never shows it', async () => {
  const made = await create(alice.token, 'ci pipeline');
  assert.equal(made.status, 201, made.text);
  const key: string = made.body.key;
  assert.match(key, /^aion_[A-Za-z0-9_-]{43}$/);
  assert.equal(made.body.apiKey.name, 'ci pipeline');
  assert.equal(made.body.apiKey.prefix, key.slice(0, 12));
  assert.equal(made.body.apiKey.lastUsedAt, null);

  const me = await s.api('GET', '/api/auth/me', { token: key });
  assert.equal(me.status, 200);
  assert.equal(me.body.user.id, alice.user.id);
  const conv = await s.api('POST', '/api/conversations', { token: key, body: { title: 'made with a key' } });
  assert.equal(conv.status, 201, conv.text);
  const mine = await s.api('GET', '/api/conversations', { token: alice.token });
  assert.ok(JSON.stringify(mine.body).includes('made with a key'), 'the key acted as its owner');

  const list = await s.api('GET', '/api/auth/api-keys', { token: alice.token });
  assert.equal(list.status, 200);
  const entry = list.body.apiKeys.find((k: any) => k.id === made.body.apiKey.id);
  assert.deepEqual(Object.keys(entry).sort(), ['createdAt', 'id', 'lastUsedAt', 'name', 'prefix']);
  assert.ok(entry.lastUsedAt >= entry.createdAt, 'last use recorded');
  assert.ok(!list.text.includes(key), 'the secret is never listed');
  assert.ok(!list.text.includes(createHash('sha256').update(key).digest('hex')), 'nor its hash');
});

test("one user's keys are theirs only", async () => {
  const made = await create(alice.token, 'private');
  const key = made.body.key;
  const bobs = await s.api('GET', '/api/auth/api-keys', { token: bob.token });
  assert.deepEqual(bobs.body.apiKeys, []);
  const steal = await s.api('DELETE', `/api/auth/api-keys/${made.body.apiKey.id}`, { token: bob.token });
  assert.equal(steal.status, 404);
  assert.equal(steal.body.code, 'API_KEY_NOT_FOUND');
  assert.equal((await s.api('GET', '/api/auth/me', { token: key })).body.user.id, alice.user.id, 'still alive, still Alice');
  const bobMe = await s.api('GET', '/api/auth/me', { token: (await create(bob.token, 'bob')).body.key });
  assert.equal(bobMe.body.user.id, bob.user.id);
});

test('revoked → 401; a key cannot mint keys; bad input and forged keys are refused', async () => {
  const made = await create(alice.token, 'to revoke');
  const key = made.body.key;
  const mint = await create(key, 'from a key');
  assert.equal(mint.status, 403);
  assert.equal(mint.body.code, 'API_KEY_NOT_ALLOWED');
  assert.equal((await s.api('DELETE', `/api/auth/api-keys/${made.body.apiKey.id}`, { token: alice.token })).status, 200);
  const after = await s.api('GET', '/api/auth/me', { token: key });
  assert.equal(after.status, 401);
  assert.equal(after.body.code, 'INVALID_TOKEN');
  assert.equal((await s.api('GET', '/api/conversations', { token: key })).status, 401);
  assert.equal((await s.api('DELETE', `/api/auth/api-keys/${made.body.apiKey.id}`, { token: alice.token })).status, 404, 'gone');
  assert.equal((await s.api('GET', '/api/auth/me', { token: 'aion_' + 'A'.repeat(43) })).status, 401);
  assert.equal((await s.api('GET', '/api/auth/me', { token: key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A') })).status, 401);
  assert.equal((await s.api('POST', '/api/auth/api-keys', { token: alice.token, body: {} })).status, 400);
  assert.equal((await s.api('POST', '/api/auth/api-keys', { token: alice.token, body: { name: 'x'.repeat(101) } })).status, 400);
  assert.equal((await s.api('POST', '/api/auth/api-keys', { body: { name: 'anon' } })).status, 401);
});

test('keys are stored hashed: the key string is in no file of DATA_DIR; the key survives a restart', async () => {
  const live = (await create(alice.token, 'at rest')).body.key as string;
  const revoked = await create(alice.token, 'revoked at rest');
  await s.api('DELETE', `/api/auth/api-keys/${revoked.body.apiKey.id}`, { token: alice.token });
  assert.equal((await s.api('GET', '/api/auth/me', { token: live })).status, 200);
  s = await s.restart();
  const files = await s.storedAtRest(); // DATA_DIR's files, and the store's rows on PostgreSQL
  for (const secret of [live, revoked.body.key]) {
    const found = files.filter((f) => f.text.includes(secret) || f.text.includes(secret.slice(5)));
    assert.deepEqual(found.map((f) => f.file), [], 'a key in the clear');
  }
  const hash = createHash('sha256').update(live).digest('hex');
  assert.ok(files.some((f) => f.text.includes(hash)), 'its SHA-256 is what is stored');
  const me = await s.api('GET', '/api/auth/me', { token: live });
  assert.equal(me.status, 200);
  const list = await s.api('GET', '/api/auth/api-keys', { token: alice.token });
  assert.ok(list.body.apiKeys.find((k: any) => k.name === 'at rest').lastUsedAt > 0, 'last use was written to disk');
});
