/**
 * Attacks on the account records each instance holds in memory (core/cluster/pg-fence.ts): a token revoked on A —
 * sign-out, password change, disabling, demotion — is used on B right after A acknowledged, just after B answered
 * the same token from memory. Then the same with both instances' LISTEN sessions cut (B must read, not trust memory).
 * Counted: attempts and how many got through (must be 0).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startPair, type Pair } from './cluster-pair.ts';
import type { TestServer } from '../helpers/server.ts';

let pair: Pair;
let admin: { token: string; user: { id: string } };
before(async () => {
  pair = await startPair({ SIGNUP_RATE_LIMIT: '1000' });
  admin = await pair.a.signup(); // the first account is the admin
});
after(() => pair.close());

/** B answers the token twice (the second from memory when the fence vouches), so the old record is held there. */
async function warm(b: TestServer, token: string): Promise<void> {
  for (let i = 0; i < 2; i++) assert.equal((await b.api('GET', '/api/conversations', { token })).status, 200);
}

type Revocation = 'logout' | 'password' | 'disable';

/** Revoke `victim`'s token on A by one of the ways a user or an admin can; resolves when A acknowledged. */
async function revoke(a: TestServer, how: Revocation, victim: { token: string; user: { id: string }; password: string }, round: number) {
  const r =
    how === 'logout'
      ? await a.api('POST', '/api/auth/logout', { token: victim.token })
      : how === 'password'
        ? await a.api('POST', '/api/auth/change-password', { token: victim.token, body: { currentPassword: victim.password, oldPassword: victim.password, newPassword: `new secret ${round} xyz` } })
        : await a.api('PATCH', `/api/admin/users/${victim.user.id}`, { token: admin.token, body: { disabled: true } });
  assert.ok(r.status < 300, `${how}: ${r.status} ${r.text}`);
}

test('revoked on A, the old token is refused on B at its very next request, even right after B served it from memory', async () => {
  const { a, b } = pair;
  const ways: Revocation[] = ['logout', 'password', 'disable'];
  let attempts = 0;
  let through = 0;
  for (let round = 0; round < 24; round++) {
    const victim = await a.signup();
    await warm(b, victim.token);
    await revoke(a, ways[round % ways.length], victim, round);
    attempts++;
    const after = await b.api('GET', '/api/conversations', { token: victim.token });
    if (after.status !== 401) through++;
  }
  console.log(`revocation on A, token used on B: ${attempts} attempts, ${through} got through`);
  assert.equal(through, 0);
});

test('an admin demoted on A loses the admin routes on B at once', async () => {
  const { a, b } = pair;
  let attempts = 0;
  let through = 0;
  for (let round = 0; round < 6; round++) {
    const other = await a.signup();
    assert.equal((await a.api('PATCH', `/api/admin/users/${other.user.id}`, { token: admin.token, body: { role: 'admin' } })).status, 200);
    for (let i = 0; i < 2; i++) assert.equal((await b.api('GET', '/api/admin/users', { token: other.token })).status, 200);
    assert.equal((await a.api('PATCH', `/api/admin/users/${other.user.id}`, { token: admin.token, body: { role: 'user' } })).status, 200);
    attempts++;
    if ((await b.api('GET', '/api/admin/users', { token: other.token })).status !== 403) through++;
  }
  console.log(`demotion on A, admin route on B: ${attempts} attempts, ${through} got through`);
  assert.equal(through, 0);
});

test('with the LISTEN sessions cut, B reads the account instead of trusting memory', async () => {
  const { a, b } = pair;
  const db = new pg.Client({ connectionString: pair.databaseUrl });
  await db.connect();
  let attempts = 0;
  let through = 0;
  try {
    for (let round = 0; round < 4; round++) {
      const victim = await a.signup();
      await warm(b, victim.token);
      // Every instance's dedicated session (LISTEN, pings) is killed: notices sent now are heard by nobody.
      await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'aion-cluster'`);
      await revoke(a, round % 2 ? 'logout' : 'disable', victim, round);
      attempts++;
      if ((await b.api('GET', '/api/conversations', { token: victim.token })).status !== 401) through++;
    }
  } finally {
    await db.end();
  }
  console.log(`revocation with sessions cut: ${attempts} attempts, ${through} got through`);
  assert.equal(through, 0);
});
