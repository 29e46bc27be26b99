/**
 * Sign-out and token refresh as the original client calls them (`authStore.ts`: a bare POST with the bearer token).
 * A refreshed or signed-out token is refused at once and after a restart; another user is untouched.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { TestServer } from '../helpers/server.ts';
import { assertError, bootWithAdmin, type Account } from './helpers.ts';

let s: TestServer;
let admin: Account;
let other: Account;
before(async () => {
  ({ s, admin } = await bootWithAdmin());
  other = await s.signup();
});
after(() => s.dispose());
const me = (token: string) => s.api('GET', '/api/auth/me', { token });

it('refresh → { success, token, user } with a working new token; the old one is revoked', async () => {
  const u = await s.signup();
  const r = await s.api('POST', '/api/auth/refresh', { token: u.token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.success, true);
  assert.equal(typeof r.body.token, 'string');
  assert.notEqual(r.body.token, u.token);
  assert.deepEqual([r.body.user.id, r.body.user.email, r.body.user.plan, r.body.user.isAdmin], [u.user.id, u.email, 'free', false]);
  assert.equal(r.body.user.passwordHash, undefined);
  assert.equal((await me(r.body.token)).status, 200);
  assertError(await me(u.token), 401);
  // The revoked token cannot refresh itself back.
  assertError(await s.api('POST', '/api/auth/refresh', { token: u.token }), 401);
});

it('logout revokes the token (also after a restart); login works again; other users keep theirs', async () => {
  const u = await s.signup();
  const r = await s.api('POST', '/api/auth/logout', { token: u.token });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { success: true });
  assertError(await me(u.token), 401);
  assertError(await s.api('GET', '/api/conversations', { token: u.token }), 401);
  assertError(await s.api('POST', '/api/auth/logout', { token: u.token }), 401);
  assert.equal((await me(other.token)).status, 200, 'another user is untouched');
  assert.equal((await me(admin.token)).status, 200);
  s = await s.restart();
  assertError(await me(u.token), 401);
  const again = await s.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
  assert.equal(again.status, 200, again.text);
  assert.equal((await me(again.body.token)).status, 200);
});

it('both need a valid token: none, garbage or a forged one → 401', async () => {
  for (const p of ['/api/auth/logout', '/api/auth/refresh']) {
    assertError(await s.api('POST', p), 401);
    assertError(await s.api('POST', p, { token: 'not.a.token' }), 401);
    const [h, body] = other.token.split('.');
    assertError(await s.api('POST', p, { token: `${h}.${body}.AAAA` }), 401);
  }
  assert.equal((await me(other.token)).status, 200);
});
