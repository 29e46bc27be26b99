/** Token checks shared while in flight and a key imported once must still refuse every bad token. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signToken, verifyToken } from './tokens.ts';

const secret = new TextEncoder().encode('unit-test-secret-0123456789');
const other = new TextEncoder().encode('another-secret-0123456789ab');
const claims = { sub: 'u1', email: 'a@example.com', plan: 'free', isAdmin: false, tv: 0 };

test('concurrent checks of one token agree; a tampered, foreign-key or alg-none token fails alongside them', async () => {
  const token = await signToken(claims, secret);
  const [head, body, sig] = token.split('.');
  const tampered = `${head}.${Buffer.from(JSON.stringify({ ...claims, isAdmin: true, exp: 9e9 })).toString('base64url')}.${sig}`;
  const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${body}.`;
  const results = await Promise.all([
    ...Array.from({ length: 20 }, () => verifyToken(token, secret)),
    verifyToken(tampered, secret),
    verifyToken(none, secret),
    verifyToken(token, other),
  ]);
  for (const r of results.slice(0, 20)) assert.equal(r?.sub, 'u1');
  assert.deepEqual(results.slice(20), [undefined, undefined, undefined]);
  // After the shared check settled, the same token is checked again (nothing stale is kept here).
  assert.equal((await verifyToken(token, secret))?.sub, 'u1');
  assert.equal(await verifyToken(token, other), undefined);
});
