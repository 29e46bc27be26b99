/**
 * Store hygiene (issue #11 item 8): temp files of interrupted writes are removed at start; the cache of loaded store
 * files is bounded (`STORE_CACHE_MB`) and reads after an eviction still see the data; keys saved through
 * `POST /api/keys` with quotes, backslashes, `$`, `#`, spaces and newlines read back unchanged after a restart.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import dotenv from 'dotenv';
import { startServer } from '../helpers/server.ts';

test('temp files left by interrupted writes are removed at start; the data is intact', async () => {
  const s = await startServer();
  const admin = await s.signup();
  const conv = await s.api('POST', '/api/conversations', { token: admin.token, body: { title: 'survives' } });
  assert.equal(conv.status, 201);
  await s.stop();
  const store = path.join(s.dataDir, 'store');
  const planted = [
    path.join(store, '.users.json.0123456789ab.tmp'),
    path.join(store, 'conversations', `.${admin.user.id}.json.abcdefabcdef.tmp`),
    path.join(store, 'messages', admin.user.id, '.some-conversation.json.a1b2c3d4e5f6.tmp'),
    path.join(s.dataDir, 'memory', `.${admin.user.id}.jsonl.00ff00ff00ff.tmp`),
    path.join(s.dataDir, '.jwt-secret.fedcba987654.tmp'),
    path.join(path.dirname(s.envFile), `.${path.basename(s.envFile)}.123456abcdef.tmp`),
  ];
  const kept = path.join(store, 'notes.tmp'); // not our pattern: never touched
  for (const f of [...planted, kept]) {
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, '{"schemaVersion":1,"items":[');
    utimesSync(f, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  }
  const s2 = await s.restart();
  try {
    for (const f of planted) assert.equal(existsSync(f), false, `${path.basename(f)} was removed`);
    assert.equal(existsSync(kept), true);
    const login = await s2.api('POST', '/api/auth/login', { body: { email: admin.email, password: admin.password } });
    assert.equal(login.status, 200);
    const list = await s2.api('GET', '/api/conversations', { token: login.body.token });
    assert.deepEqual(list.body.conversations.map((c: any) => c.title), ['survives']);
  } finally {
    await s2.dispose();
  }
});

test('the cache of loaded store files stays within STORE_CACHE_MB; reads after eviction return the data', async () => {
  const budgetMb = 0.05; // ~51 KB: far less than the data written below
  const s = await startServer({ env: { STORE_CACHE_MB: String(budgetMb) } });
  try {
    const admin = await s.signup();
    const ids: string[] = [];
    const filler = 'x'.repeat(3000);
    for (let i = 0; i < 40; i++) {
      const c = await s.api('POST', '/api/conversations', { token: admin.token, body: { title: `conv ${i}` } });
      ids.push(c.body.id);
      for (let j = 0; j < 2; j++) {
        const m = await s.api('POST', `/api/conversations/${c.body.id}/messages`, { token: admin.token, body: { role: 'user', content: `c${i} m${j} ${filler}` } });
        assert.equal(m.status, 201);
      }
    }
    // Every conversation read back, oldest first (the ones evicted longest ago), twice.
    for (const round of [1, 2]) {
      for (let i = 0; i < ids.length; i++) {
        const r = await s.api('GET', `/api/conversations/${ids[i]}`, { token: admin.token });
        assert.equal(r.status, 200);
        assert.equal(r.body.conversation.title, `conv ${i}`, `round ${round}`);
        assert.deepEqual(r.body.messages.map((m: any) => String(m.content).split(' ').slice(0, 2).join(' ')), [`c${i} m0`, `c${i} m1`]);
      }
    }
    const stats = (await s.api('GET', '/api/config', { token: admin.token })).body.stats;
    const budget = budgetMb * 1024 * 1024;
    assert.equal(typeof stats.store_cache_bytes, 'number', 'the cache reports its size');
    assert.ok(stats.store_cache_bytes <= budget + 8 * 1024, `cache holds ${stats.store_cache_bytes} bytes, budget ${budget}`);
    assert.ok(stats.store_cache_partitions < ids.length, `${stats.store_cache_partitions} files loaded of ${ids.length + 2} touched`);
    // Writes to an evicted partition land in the file and are read back.
    assert.equal((await s.api('POST', `/api/conversations/${ids[0]}/messages`, { token: admin.token, body: { role: 'user', content: 'late one' } })).status, 201);
    const first = await s.api('GET', `/api/conversations/${ids[0]}`, { token: admin.token });
    assert.equal(first.body.messages.length, 3);
  } finally {
    await s.dispose();
  }
});

test('POST /api/keys values with quotes, backslashes, $, #, spaces and newlines read back unchanged after a restart', async () => {
  const s = await startServer();
  try {
    const admin = await s.signup();
    // Each value's first and last four characters are what the masked listing shows, so the specials sit there.
    const values: Record<string, string> = {
      AION_DQ_KEY: 'a"b\\' + 'middle' + '$X#y',
      AION_BS_TOKEN: '\\\\"q' + 'z' + 'w #\\',
      AION_SQ_SECRET: "it's" + 'k' + ' $1"',
      AION_NL_KEY: 'l1\nl' + '-----BEGIN-----\nbody\n' + 'e\n#x',
      AION_MIX_ID: 'a b`' + "'" + '\\$#x',
      // (A value with all three quote characters and a backslash-n cannot be written to .env at all: 400, below.)
    };
    const impossible = await s.api('POST', '/api/keys', { token: admin.token, body: { AION_BAD_KEY: 'a\'b`c"d\\n' } });
    assert.equal(impossible.status, 400);
    assert.equal(impossible.body.code, 'KEY_VALUE_INVALID');
    const saved = await s.api('POST', '/api/keys', { token: admin.token, body: values });
    assert.equal(saved.status, 200, saved.text);
    // The keys file, read by the same parser the server loads it with, gives back every value exactly.
    const parsed = dotenv.parse(readFileSync(s.envFile, 'utf8'));
    for (const [k, v] of Object.entries(values)) assert.equal(parsed[k], v, k);
    const s2 = await s.restart();
    try {
      const login = await s2.api('POST', '/api/auth/login', { body: { email: admin.email, password: admin.password } });
      const keys = await s2.api('GET', '/api/keys', { token: login.body.token });
      const listed = new Map<string, any>(keys.body.other_keys.map((e: any) => [e.key, e]));
      for (const [k, v] of Object.entries(values)) {
        assert.equal(listed.get(k)?.set, true, k);
        assert.equal(listed.get(k)?.masked, `${v.slice(0, 4)}…${v.slice(-4)}`, `${k} after restart`);
      }
      // Saving again keeps the other lines (multi-line values included) intact.
      assert.equal((await s2.api('POST', '/api/keys', { token: login.body.token, body: { AION_DQ_KEY: 'plain-value-1' } })).status, 200);
      const again = dotenv.parse(readFileSync(s.envFile, 'utf8'));
      assert.deepEqual(again, { ...values, AION_DQ_KEY: 'plain-value-1' });
    } finally {
      await s2.stop();
    }
  } finally {
    await s.dispose();
  }
});
