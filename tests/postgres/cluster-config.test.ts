/**
 * Configuration saved on A is in force on B within a second (no restart): settings, keys (the shared ENV_FILE of the
 * shared DATA_DIR), and a plugin disabled or enabled on A. Both instances run on one DATA_DIR: a prompt edited on A is
 * read on B. A non-admin cannot change any of it on either instance.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eventually, startPair, type Pair } from './cluster-pair.ts';

let pair: Pair;
let admin: string;
let user: string;
before(async () => {
  pair = await startPair();
  admin = (await pair.a.signup()).token;
  user = (await pair.b.signup()).token;
});
after(() => pair.close());

test('a setting saved on A is in force on B', async () => {
  const { a, b } = pair;
  const set = await a.api('POST', '/api/config/settings', { token: admin, body: { max_steps: 3, memory_token_budget: 123 } });
  assert.equal(set.status, 200, set.text);
  await eventually(async () => {
    const s = (await b.api('GET', '/api/config', { token: admin })).body?.settings;
    return s?.max_steps === 3 && s?.memory_token_budget === 123;
  }, 'the settings on B');
  assert.equal((await b.api('POST', '/api/config/settings', { token: user, body: { max_steps: 9 } })).status, 403);
});

test('a key saved on A is in force on B (masked there too, never returned in full)', async () => {
  const { a, b } = pair;
  const value = 'sk-cluster-0123456789abcdef';
  const saved = await a.api('POST', '/api/keys', { token: admin, body: { CLUSTER_TEST_KEY: value } });
  assert.ok(saved.status < 300, saved.text);
  const listed = await eventually(async () => {
    const r = await b.api('GET', '/api/keys', { token: admin });
    return r.text.includes('sk-c…cdef') ? r : undefined;
  }, 'the key on B');
  assert.ok(!listed.text.includes(value), 'the value is never returned');
});

test('a plugin disabled on A stops serving on B; enabled again it serves on B again', async () => {
  const { a, b } = pair;
  const route = '/api/update-status';
  assert.equal((await b.api('GET', route, { token: admin })).status, 200);
  assert.equal((await a.api('POST', '/api/plugins/disable', { token: admin, body: { name: 'updater' } })).status, 200);
  await eventually(async () => (await b.api('GET', route, { token: admin })).status === 404, 'updater off on B');
  assert.equal((await a.api('POST', '/api/plugins/enable', { token: admin, body: { name: 'updater' } })).status, 200);
  await eventually(async () => (await b.api('GET', route, { token: admin })).status === 200, 'updater on again on B');
  assert.equal((await b.api('POST', '/api/plugins/disable', { token: user, body: { name: 'updater' } })).status, 403);
});

test('a prompt edited on A is what B reads (one DATA_DIR)', async () => {
  const { a, b } = pair;
  assert.ok((await a.api('POST', '/api/prompt/character', { token: admin, body: { content: 'You are the cluster test.' } })).status < 300);
  const read = await b.api('GET', '/api/prompt/character', { token: admin });
  assert.equal(read.body.content, 'You are the cluster test.');
  assert.equal(read.body.edited, true);
});
