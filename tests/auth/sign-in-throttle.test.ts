/**
 * Sign-in throttling that protects owners instead of locking them out. Attacks replayed through the real server:
 * a password-guessing run against the owner's account from another address, a burst of concurrent guesses, spoofed
 * `X-Forwarded-For` headers with and without `TRUST_PROXY`, one address guessing across many accounts, and a signup
 * flood. Addresses other than the test machine's come from `X-Forwarded-For`, honoured only behind a trusted proxy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';

const login = (s: TestServer, email: string, password: string, from?: string) =>
  s.api('POST', '/api/auth/login', { body: { email, password }, headers: from ? { 'x-forwarded-for': from } : {} });

const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((t, x) => ((t[x] = (t[x] ?? 0) + 1), t), {});

describe('behind a trusted proxy (TRUST_PROXY=loopback, 10.0.0.0/8)', () => {
  let s: TestServer;
  before(async () => (s = await startServer({ env: { TRUST_PROXY: 'loopback, 10.0.0.0/8' } })));
  after(() => s.dispose());

  test('50 wrong passwords from one address lock that address out of the account, not the owner elsewhere', async () => {
    const owner = await s.signup();
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) statuses.push((await login(s, owner.email, `guess-${i}-wrong`, '203.0.113.7')).status);
    assert.deepEqual(tally(statuses), { 401: 10, 429: 40 }, 'ten guesses reach the password check, the rest are refused');
    const refused = await login(s, owner.email, owner.password, '203.0.113.7');
    assert.equal(refused.status, 429, 'the attacker cannot even try a right guess from the locked address');
    assert.equal(refused.body.code, 'RATE_LIMIT_EXCEEDED');
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    const ownerLogin = await login(s, owner.email, owner.password, '198.51.100.2');
    assert.equal(ownerLogin.status, 200, 'the owner from their own address still gets in');
    assert.ok(ownerLogin.body.token);
  });

  test('30 concurrent guesses: exactly 10 reach the password check', async () => {
    const owner = await s.signup();
    const all = await Promise.all(Array.from({ length: 30 }, (_, i) => login(s, owner.email, `burst-${i}-wrong`, '203.0.113.8')));
    assert.deepEqual(tally(all.map((r) => r.status)), { 401: 10, 429: 20 });
  });

  test('successful logins are never counted, and a success resets the pair', async () => {
    const owner = await s.signup();
    for (let i = 0; i < 9; i++) assert.equal((await login(s, owner.email, 'wrong-password', '198.51.100.9')).status, 401);
    assert.equal((await login(s, owner.email, owner.password, '198.51.100.9')).status, 200);
    for (let i = 0; i < 9; i++) assert.equal((await login(s, owner.email, 'wrong-password', '198.51.100.9')).status, 401, 'the count started again');
    const ok = await Promise.all(Array.from({ length: 30 }, () => login(s, owner.email, owner.password, '198.51.100.10')));
    assert.deepEqual(tally(ok.map((r) => r.status)), { 200: 30 }, '30 concurrent right logins, past the pair budget of 10');
  });

  test('one address guessing across many accounts runs into the per-address budget (100 failures); its successes do not count', async () => {
    const owner = await s.signup();
    const statuses: number[] = [];
    for (let i = 0; i < 95; i++) statuses.push((await login(s, `victim-${i}@example.com`, 'Summer2026!', '203.0.113.50')).status);
    for (let i = 0; i < 20; i++) assert.equal((await login(s, owner.email, owner.password, '203.0.113.50')).status, 200);
    for (let i = 95; i < 110; i++) statuses.push((await login(s, `victim-${i}@example.com`, 'Summer2026!', '203.0.113.50')).status);
    assert.deepEqual(tally(statuses), { 401: 100, 429: 10 }, '100 failures allowed although 20 successes came in between');
    assert.equal((await login(s, owner.email, owner.password, '203.0.113.50')).status, 429, 'a spent address budget refuses even a right password');
    assert.equal((await login(s, owner.email, owner.password, '203.0.113.51')).status, 200, 'another address is untouched');
  });

  test('the left, client-written part of X-Forwarded-For cannot be used to rotate addresses', async () => {
    const owner = await s.signup();
    // The proxy at 127.0.0.1 appends the address it saw (here 10.1.2.3, itself a trusted proxy, then 203.0.113.9).
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await login(s, owner.email, 'wrong-password', `192.0.2.${i + 1}, 203.0.113.9, 10.1.2.3`)).status);
    assert.deepEqual(tally(statuses), { 401: 10, 429: 20 });
  });

  test('rotating through the IPv6 addresses of one /64 does not buy more guesses', async () => {
    const owner = await s.signup();
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await login(s, owner.email, 'wrong-password', `2001:db8:7:7::${(i + 1).toString(16)}`)).status);
    assert.deepEqual(tally(statuses), { 401: 10, 429: 10 });
    assert.equal((await login(s, owner.email, owner.password, '2001:db8:7:8::1')).status, 200, 'the next /64 is another address');
  });

  test('signup is limited per address: 60 in a burst from one address → 10 accounts', async () => {
    const all = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        s.api('POST', '/api/auth/signup', { body: { email: `flood-${i}@example.com`, password: 'flood-password' }, headers: { 'x-forwarded-for': '203.0.113.60' } }),
      ),
    );
    assert.deepEqual(tally(all.map((r) => r.status)), { 201: 10, 429: 50 });
    const refused = all.find((r) => r.status === 429)!;
    assert.equal(refused.body.code, 'RATE_LIMIT_EXCEEDED');
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    const other = await s.api('POST', '/api/auth/signup', { body: { email: 'elsewhere@example.com', password: 'flood-password' }, headers: { 'x-forwarded-for': '203.0.113.61' } });
    assert.equal(other.status, 201, 'another address can still sign up');
  });
});

describe('without TRUST_PROXY (the default)', () => {
  let s: TestServer;
  before(async () => (s = await startServer()));
  after(() => s.dispose());

  test('X-Forwarded-For is ignored: rotating it does not buy more guesses', async () => {
    const owner = await s.signup();
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) statuses.push((await login(s, owner.email, 'wrong-password', `198.18.${i}.1`)).status);
    assert.deepEqual(tally(statuses), { 401: 10, 429: 40 });
  });

  test('a signup flood with rotating X-Forwarded-For is still one address', async () => {
    const all = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        s.api('POST', '/api/auth/signup', { body: { email: `spoof-${i}@example.com`, password: 'flood-password' }, headers: { 'x-forwarded-for': `198.19.${i}.1` } }),
      ),
    );
    const t = tally(all.map((r) => r.status));
    assert.equal(t[201], 9, 'nine more accounts (the owner above used one of the ten)');
    assert.equal(t[429], 51);
  });
});

describe('TRUST_PROXY with a hop count', () => {
  let s: TestServer;
  before(async () => (s = await startServer({ env: { TRUST_PROXY: '1' } })));
  after(() => s.dispose());

  test('the address the one proxy saw is the client; what the client wrote before it is not', async () => {
    const owner = await s.signup();
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await login(s, owner.email, 'wrong-password', `192.0.2.${i + 1}, 203.0.113.20`)).status);
    assert.deepEqual(tally(statuses), { 401: 10, 429: 10 });
    assert.equal((await login(s, owner.email, owner.password, '198.51.100.20')).status, 200);
  });
});
