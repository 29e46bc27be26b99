/**
 * Pure logic of the secret scrubber: configured values in every escaping, credential-shaped strings, and ordinary text
 * (paths, ids, sentences) left alone so logs stay readable.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configureScrubber, scrubDeep, scrubPaths, scrubSecrets, scrubSecretValues, secretsChanged } from '../../core/secret-scrubber.ts';

test('configured values are replaced raw, JSON-escaped and URL-encoded; a change is seen at once', () => {
  process.env.SCRUB_TEST_API_KEY = 'pa"ss word\\with/odd&chars';
  secretsChanged();
  const v = process.env.SCRUB_TEST_API_KEY;
  for (const form of [v, JSON.stringify(v).slice(1, -1), encodeURIComponent(v)]) {
    assert.equal(scrubSecretValues(`x ${form} y`), 'x [redacted] y');
  }
  process.env.SCRUB_TEST_API_KEY = 'rotated value 42';
  secretsChanged();
  assert.equal(scrubSecrets('now rotated value 42'), 'now [redacted]');
  process.env.SCRUB_TEST_FLAG = 'not a secret name';
  assert.equal(scrubSecrets('not a secret name'), 'not a secret name', 'only names that look like secrets count');
  configureScrubber({ values: ['registered-jwt-secret-value'] });
  assert.equal(scrubSecrets('k=registered-jwt-secret-value'), 'k=[redacted]');
  delete process.env.SCRUB_TEST_API_KEY;
  delete process.env.SCRUB_TEST_FLAG;
});

test('credential-shaped strings go whatever their source', () => {
  const cases = [
    'Authorization: Bearer abc.def-ghi_jkl123',
    'Incorrect API key provided: sk-proj-AbCdEf1234567890xyz',
    'key sk-ant-api03-Zx9_yW8-vU7tS6rQ5pO4',
    'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    'aion_Q2xhdWRlIHdhcyBoZXJlIGFuZCBzbyB3ZXJl',
    'GET https://api.telegram.org/bot123456789:AAFakeTokenFakeTokenFakeTokenFake1234/getMe',
    'postgres://aion:s3cr3t-pass@db:5432/aion',
    'digest 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    'blob QmFzZTY0RW5jb2RlZFNlY3JldFZhbHVlMTIzNDU2Nzg5',
  ];
  const leaks = ['abc.def-ghi_jkl123', 'AbCdEf1234567890xyz', 'Zx9_yW8-vU7tS6rQ5pO4', 'dozjgNryP4J3', 'Q2xhdWRlIHdhcyBoZXJl', 'AAFakeToken', 's3cr3t-pass', '9f86d081884c', 'QmFzZTY0RW5j'];
  cases.forEach((c, i) => {
    const out = scrubSecrets(c);
    assert.ok(!out.includes(leaks[i]), `${c} → ${out}`);
    assert.ok(out.includes('[redacted]'), out);
  });
});

test('ordinary text, ids and paths are kept', () => {
  for (const text of [
    'request 3f2b6c1e-8a4d-4e7f-9b1a-2c3d4e5f6a7b finished in 12 ms',
    'ENOENT: no such file /work/aion/node_modules/rate-limiter-flexible/lib/index.js',
    'Invalid arguments for lookup: q: expected string, received number',
    'The user did not approve execute_code',
  ]) {
    assert.equal(scrubSecrets(text), text);
  }
  assert.equal(scrubPaths('open /srv/aion/data/store/users.json failed'), 'open [path] failed');
  assert.equal(scrubPaths('see https://example.com/a/b'), 'see https://example.com/a/b', 'URLs are not paths');
});

test('scrubDeep keeps the shape of a tool result', () => {
  process.env.SCRUB_DEEP_TOKEN = 'deep-secret-value';
  secretsChanged();
  const out = scrubDeep({ a: ['x deep-secret-value', 1, null], b: { c: 'deep-secret-value' }, n: 3 }, scrubSecretValues);
  assert.deepEqual(out, { a: ['x [redacted]', 1, null], b: { c: '[redacted]' }, n: 3 });
  delete process.env.SCRUB_DEEP_TOKEN;
});
