import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { SignJWT, UnsecuredJWT } from 'jose';
import { startServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
before(async () => (s = await startServer()));
after(() => s.dispose());

test('signup: the first account is admin on enterprise, later ones are free users; no hash is ever returned', async () => {
  const admin = await s.api('POST', '/api/auth/signup', { body: { email: 'Admin@Example.com', password: 'password-1', displayName: 'Ada' } });
  assert.equal(admin.status, 201);
  assert.equal(admin.body.success, true);
  assert.equal(admin.body.user.role, 'admin');
  assert.equal(admin.body.user.isAdmin, true);
  assert.equal(admin.body.user.plan, 'enterprise');
  assert.equal(admin.body.user.displayName, 'Ada');
  assert.ok(!('passwordHash' in admin.body.user));
  const user = await s.api('POST', '/api/auth/signup', { body: { email: 'bob@example.com', password: 'password-2' } });
  assert.equal(user.status, 201);
  assert.equal(user.body.user.role, 'user');
  assert.equal(user.body.user.plan, 'free');
  assert.deepEqual(Object.keys(user.body.user).sort(), ['createdAt', 'displayName', 'email', 'id', 'isAdmin', 'plan', 'role']);
});

test('signup rejects duplicates case-insensitively (409) and bad input (400 with details)', async () => {
  const dup = await s.api('POST', '/api/auth/signup', { body: { email: 'ADMIN@example.COM', password: 'password-x' } });
  assert.equal(dup.status, 409);
  assert.equal(dup.body.code, 'EMAIL_EXISTS');
  const short = await s.api('POST', '/api/auth/signup', { body: { email: 'c@example.com', password: 'short' } });
  assert.equal(short.status, 400);
  assert.equal(short.body.code, 'VALIDATION_ERROR');
  assert.ok(short.body.details.some((d: any) => d.field === 'password'));
  const badEmail = await s.api('POST', '/api/auth/signup', { body: { email: 'not-an-email', password: 'password-3' } });
  assert.equal(badEmail.status, 400);
});

test('login: right password works; wrong password and unknown email give the same 401', async () => {
  const ok = await s.api('POST', '/api/auth/login', { body: { email: 'bob@example.com', password: 'password-2' } });
  assert.equal(ok.status, 200);
  assert.ok(ok.body.token);
  const wrong = await s.api('POST', '/api/auth/login', { body: { email: 'bob@example.com', password: 'nope-nope' } });
  const unknown = await s.api('POST', '/api/auth/login', { body: { email: 'ghost@example.com', password: 'nope-nope' } });
  assert.equal(wrong.status, 401);
  assert.equal(unknown.status, 401);
  assert.deepEqual(wrong.body, unknown.body);
});

test('me returns the user with usage; profile updates; email conflicts are 409', async () => {
  const { token } = (await s.api('POST', '/api/auth/login', { body: { email: 'bob@example.com', password: 'password-2' } })).body;
  const me = await s.api('GET', '/api/auth/me', { token });
  assert.equal(me.status, 200);
  assert.equal(me.body.user.email, 'bob@example.com');
  assert.equal(typeof me.body.user.usage.messagesThisHour, 'number');
  assert.equal(typeof me.body.user.usage.tokensToday, 'number');
  const p = await s.api('PATCH', '/api/auth/profile', { token, body: { displayName: 'Bobby' } });
  assert.equal(p.body.user.displayName, 'Bobby');
  const clash = await s.api('PATCH', '/api/auth/profile', { token, body: { email: 'admin@example.com' } });
  assert.equal(clash.status, 409);
});

test('tokens: missing, malformed, alg none, forged, expired → 401', async () => {
  const u = await s.signup();
  assert.equal((await s.api('GET', '/api/auth/me')).status, 401);
  assert.equal((await s.api('GET', '/api/auth/me', { token: 'garbage' })).status, 401);
  const none = new UnsecuredJWT({ email: u.email, plan: 'enterprise', isAdmin: true, tv: 0 }).setSubject(u.user.id).setIssuedAt().setExpirationTime('1h').encode();
  assert.equal((await s.api('GET', '/api/auth/me', { token: none })).status, 401);
  const forged = await new SignJWT({ email: u.email, tv: 0 }).setProtectedHeader({ alg: 'HS256' }).setSubject(u.user.id).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode('x'.repeat(48)));
  assert.equal((await s.api('GET', '/api/auth/me', { token: forged })).status, 401);
  const secret = new TextEncoder().encode(readFileSync(path.join(s.dataDir, 'jwt-secret'), 'utf8').trim());
  const valid = await new SignJWT({ email: u.email, tv: 0 }).setProtectedHeader({ alg: 'HS256' }).setSubject(u.user.id).setIssuedAt().setExpirationTime('1h').sign(secret);
  assert.equal((await s.api('GET', '/api/auth/me', { token: valid })).status, 200, 'a correctly signed token works (control)');
  const expired = await new SignJWT({ email: u.email, tv: 0 }).setProtectedHeader({ alg: 'HS256' }).setSubject(u.user.id).setIssuedAt(Math.floor(Date.now() / 1000) - 7200).setExpirationTime(Math.floor(Date.now() / 1000) - 3600).sign(secret);
  const r = await s.api('GET', '/api/auth/me', { token: expired });
  assert.equal(r.status, 401);
  assert.equal(typeof r.body.error, 'string');
  assert.match(r.body.code, /^[A-Z_]+$/);
});

test('change-password: wrong old → 401; earlier tokens stop working; the new password logs in', async () => {
  const u = await s.signup();
  const wrong = await s.api('POST', '/api/auth/change-password', { token: u.token, body: { oldPassword: 'not-it-at-all', newPassword: 'brand-new-pass' } });
  assert.equal(wrong.status, 401);
  const ok = await s.api('POST', '/api/auth/change-password', { token: u.token, body: { oldPassword: u.password, newPassword: 'brand-new-pass' } });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.success, true);
  assert.equal((await s.api('GET', '/api/auth/me', { token: u.token })).status, 401);
  const again = await s.api('POST', '/api/auth/login', { body: { email: u.email, password: 'brand-new-pass' } });
  assert.equal(again.status, 200);
});

test('login attempts are limited per email (429 with Retry-After)', async () => {
  const u = await s.signup();
  let last;
  for (let i = 0; i < 11; i++) last = await s.api('POST', '/api/auth/login', { body: { email: u.email, password: 'wrong-password' } });
  assert.equal(last!.status, 429);
  assert.equal(last!.body.code, 'RATE_LIMIT_EXCEEDED');
  assert.ok(Number(last!.headers.get('retry-after')) > 0);
  const blocked = await s.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
  assert.equal(blocked.status, 429, 'even the right password waits out the lockout');
});

test('admin user management: users 403, anonymous 401, admin can change plans', async () => {
  const admin = (await s.api('POST', '/api/auth/login', { body: { email: 'admin@example.com', password: 'password-1' } })).body.token;
  const u = await s.signup();
  assert.equal((await s.api('GET', '/api/admin/users')).status, 401);
  assert.equal((await s.api('GET', '/api/admin/users', { token: u.token })).status, 403);
  const list = await s.api('GET', '/api/admin/users', { token: admin });
  assert.equal(list.status, 200);
  assert.ok(list.body.users.some((x: any) => x.id === u.user.id));
  assert.ok(list.body.users.every((x: any) => !('passwordHash' in x)));
  const patched = await s.api('PATCH', `/api/admin/users/${u.user.id}`, { token: admin, body: { plan: 'pro' } });
  assert.equal(patched.body.user.plan, 'pro');
  const me = await s.api('GET', '/api/auth/me', { token: u.token });
  assert.equal(me.body.user.plan, 'pro', 'the plan is read from the store, not the token');
  assert.equal((await s.api('PATCH', `/api/admin/users/${u.user.id}`, { token: u.token, body: { role: 'admin' } })).status, 403);
  assert.equal((await s.api('PATCH', `/api/admin/users/nope`, { token: admin, body: { plan: 'pro' } })).status, 404);
  assert.equal((await s.api('PATCH', `/api/admin/users/${u.user.id}`, { token: admin, body: { plan: 'gold' } })).status, 400);
});
