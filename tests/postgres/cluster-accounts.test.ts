/**
 * Accounts across two instances on one database: an account and a token made on A work on B; sign-out, a password
 * change and a revoked API key on A are in force on B at once; the sign-in and signup throttles count attempts spread
 * over both instances once (an attacker alternating instances gets no extra guesses).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startPair, type Pair } from './cluster-pair.ts';

let pair: Pair;
before(async () => {
  pair = await startPair({ SIGNUP_RATE_LIMIT: '6' });
});
after(() => pair.close());

test('sign up on A, sign in on B; the token of either works on the other', async () => {
  const { a, b } = pair;
  const admin = await a.signup(); // the first account of the cluster is the admin
  assert.equal(admin.user.role, 'admin');
  const u = await a.signup();
  assert.equal(u.user.role, 'user', 'the second account (made on A) is not an admin');
  const me = await b.api('GET', '/api/auth/me', { token: u.token });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.body.user?.id ?? me.body.id, u.user.id);
  const login = await b.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
  assert.equal(login.status, 200, login.text);
  assert.equal((await a.api('GET', '/api/auth/me', { token: login.body.token })).status, 200);
  const again = await b.api('POST', '/api/auth/signup', { body: { email: u.email.toUpperCase(), password: 'another password 1' } });
  assert.equal(again.status, 409, 'the email is taken on every instance');
});

test('sign-out and a password change on A revoke the old tokens on B at once', async () => {
  const { a, b } = pair;
  const u = await b.signup();
  const second = (await a.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } })).body.token;
  const out = await a.api('POST', '/api/auth/logout', { token: u.token });
  assert.ok(out.status < 300, out.text);
  assert.equal((await b.api('GET', '/api/auth/me', { token: u.token })).status, 401, 'signed-out token refused on B');
  assert.equal((await b.api('GET', '/api/auth/me', { token: second })).status, 401, 'every session of the user ends');
  const fresh = (await b.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } })).body.token;
  const change = await a.api('POST', '/api/auth/change-password', { token: fresh, body: { currentPassword: u.password, oldPassword: u.password, newPassword: 'a brand new secret 42' } });
  assert.ok(change.status < 300, change.text);
  assert.equal((await b.api('GET', '/api/auth/me', { token: fresh })).status, 401, 'token from before the change refused on B');
  assert.equal((await b.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } })).status, 401, 'old password refused on B');
  assert.equal((await b.api('POST', '/api/auth/login', { body: { email: u.email, password: 'a brand new secret 42' } })).status, 200);
});

test('an API key made on A works on B; revoked on A it is refused on B', async () => {
  const { a, b } = pair;
  const u = await a.signup();
  const made = await a.api('POST', '/api/auth/api-keys', { token: u.token, body: { name: 'ci' } });
  assert.equal(made.status, 201, made.text);
  const key = made.body.key;
  assert.equal((await b.api('GET', '/api/auth/me', { token: key })).status, 200);
  const id = made.body.apiKey?.id ?? made.body.id;
  assert.ok((await a.api('DELETE', `/api/auth/api-keys/${id}`, { token: u.token })).status < 300);
  assert.equal((await b.api('GET', '/api/auth/me', { token: key })).status, 401);
});

test('failed sign-ins alternating between A and B are counted once: the 11th guess is refused on both', async () => {
  const { a, b } = pair;
  const victim = await a.signup();
  const statuses: number[] = [];
  for (let i = 0; i < 14; i++) {
    const s = i % 2 ? a : b;
    statuses.push((await s.api('POST', '/api/auth/login', { body: { email: victim.email, password: `guess ${i}` } })).status);
  }
  assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
  assert.deepEqual(statuses.slice(10), [429, 429, 429, 429], `attempts got through: ${statuses.filter((s) => s === 401).length - 10}`);
  const right = await a.api('POST', '/api/auth/login', { body: { email: victim.email, password: victim.password } });
  assert.equal(right.status, 429, 'the pair stays locked on A too');
});

test('the signup limit of an address is one budget across both instances', async () => {
  const { a, b } = pair;
  // 6 an hour per address: signups of the earlier tests count too; alternate until refused.
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) statuses.push((await (i % 2 ? a : b).api('POST', '/api/auth/signup', { body: { email: `flood${i}-${Date.now()}@example.com`, password: 'flood password 1' } })).status);
  const created = statuses.filter((s) => s === 201).length;
  assert.ok(statuses.includes(429), String(statuses));
  assert.ok(created <= 6 - 5, `created ${created} more accounts after the earlier 5 signups: ${statuses}`);
});
