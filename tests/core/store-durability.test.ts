import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startServer } from '../helpers/server.ts';

test('SIGKILL in the middle of a burst of signups: every signup that got a 201 is there after restart', async () => {
  const s = await startServer({ env: { SIGNUP_RATE_LIMIT: '0' } }); // a burst of 300 from one address is the point here
  const acknowledged: Array<{ email: string; password: string }> = [];
  let killed = false;
  const attempts = Array.from({ length: 300 }, async (_, i) => {
    const email = `burst${i}@example.com`;
    await new Promise((r) => setTimeout(r, i * 3));
    try {
      const r = await s.api('POST', '/api/auth/signup', { body: { email, password: 'password-123' } });
      if (r.status === 201) acknowledged.push({ email, password: 'password-123' });
      if (acknowledged.length === 25 && !killed) {
        killed = true;
        void s.kill();
      }
    } catch {
      /* connection cut by the kill */
    }
  });
  await Promise.all(attempts);
  assert.ok(killed);
  assert.ok(acknowledged.length > 0, 'some signups were acknowledged before the kill');
  const s2 = await s.restart();
  try {
    for (const a of acknowledged) {
      const r = await s2.api('POST', '/api/auth/signup', { body: a });
      assert.equal(r.status, 409, `${a.email} was acknowledged and must still exist`);
    }
  } finally {
    await s2.dispose();
  }
});

test('a corrupt store file is moved aside and reported, not silently emptied', async () => {
  // (A damaged users.json refuses start instead: tests/core/store-damage.test.ts.)
  const s = await startServer({ env: { DATABASE_URL: '' } }); // about the files driver's files: on the files driver in both passes
  const admin = await s.signup();
  assert.equal((await s.api('POST', '/api/config/settings', { token: admin.token, body: { max_steps: 5 } })).status, 200);
  await s.stop();
  const file = path.join(s.dataDir, 'store', 'settings.json');
  const original = readFileSync(file, 'utf8');
  writeFileSync(file, original.slice(0, Math.floor(original.length / 2)));
  const s2 = await s.restart();
  try {
    const aside = readdirSync(path.join(s.dataDir, 'store')).filter((f) => f.startsWith('settings.json.corrupt-'));
    assert.equal(aside.length, 1);
    assert.equal(readFileSync(path.join(s.dataDir, 'store', aside[0]), 'utf8'), original.slice(0, Math.floor(original.length / 2)));
    assert.match(s2.output, /damaged/);
    assert.equal((await s2.api('GET', '/api/health')).status, 200);
  } finally {
    await s2.dispose();
  }
});

test('the JWT secret is generated once into DATA_DIR and survives restarts (tokens stay valid)', async () => {
  const dataDir = path.join((await import('node:os')).tmpdir(), `aion-secret-${Date.now()}`);
  mkdirSync(dataDir, { recursive: true });
  const s = await startServer({ dataDir });
  const { token } = await s.signup();
  assert.ok(existsSync(path.join(dataDir, 'jwt-secret')));
  const s2 = await s.restart();
  try {
    assert.equal((await s2.api('GET', '/api/auth/me', { token })).status, 200);
  } finally {
    await s2.dispose();
  }
});
