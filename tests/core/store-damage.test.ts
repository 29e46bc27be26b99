/**
 * Damaged store files (issue #11 item 3). The attack: damage `store/users.json` (cut short, `null`, wrong shape, a
 * `null` item, a record without a password hash) and sign up anonymously, hoping to become the admin of an "empty"
 * server. The server must refuse to start instead, say which file, where the copy is and how to restore it — and
 * after a restore the anonymous signup is a plain user. Damage in any other store file is moved aside and logged,
 * and the server starts and answers without 500s.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT, startServer, type TestServer } from '../helpers/server.ts';
import { pluginsDir, writePlugin } from '../helpers/plugins.ts';

interface Refusal {
  code: number | null;
  stderr: string;
  stdout: string;
}

/** Start the server on `dataDir` and expect it to exit; fails the test if it starts listening instead. */
function expectRefusal(dataDir: string, env: Record<string, string> = {}): Promise<Refusal> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'core/main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'test', LOG_LEVEL: 'warn', PORT: '0', HOST: '127.0.0.1', PLUGINS_WATCH: '0', DATA_DIR: dataDir, ENV_FILE: path.join(dataDir, 'test.env'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server neither started nor exited in 30 s:\n${stdout}${stderr}`));
    }, 30_000);
    child.stdout.on('data', () => {
      if (/AION listening on/.test(stdout)) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`the server started on damaged data:\n${stdout}${stderr}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

const asideCopies = (dir: string, base: string) => readdirSync(dir).filter((f) => f.startsWith(`${base}.corrupt-`));

/** A server with an admin, a plain user and one conversation of the user; stopped, its users.json returned. */
async function populated(): Promise<{ s: TestServer; usersFile: string; original: string; admin: { email: string; password: string } }> {
  const s = await startServer();
  const admin = await s.signup();
  const user = await s.signup();
  assert.equal((await s.api('POST', '/api/conversations', { token: user.token, body: { title: 'mine' } })).status, 201);
  await s.stop();
  const usersFile = path.join(s.dataDir, 'store', 'users.json');
  return { s, usersFile, original: readFileSync(usersFile, 'utf8'), admin };
}

const DAMAGES: Array<[string, (original: string) => string]> = [
  ['cut short', (o) => o.slice(0, Math.floor(o.length / 2))],
  ['empty', () => ''],
  ['null', () => 'null'],
  ['items is an object', () => '{"items":{}}'],
  ['a null item', () => '{"schemaVersion":1,"items":[null]}'],
  ['a null item beside the real accounts', (o) => o.replace('"items":[', '"items":[null,')],
  ['an account without a password hash', (o) => {
    const data = JSON.parse(o);
    delete data.items[0].passwordHash;
    return JSON.stringify(data);
  }],
];

test('damaged users.json: the server refuses to start (twice), names the file and the copy; after a restore an anonymous signup is never admin', async () => {
  const { s, usersFile, original, admin } = await populated();
  const storeDir = path.dirname(usersFile);
  let attempts = 0;
  let startedOnDamage = 0;
  try {
    for (const [label, damage] of DAMAGES) {
      const damaged = damage(original);
      writeFileSync(usersFile, damaged);
      const before = new Set(asideCopies(storeDir, 'users.json'));
      for (const round of [1, 2]) {
        attempts++;
        const r = await expectRefusal(s.dataDir).catch((error) => {
          startedOnDamage++;
          throw error;
        });
        assert.equal(r.code, 65, `${label}, start ${round}: exit code`);
        assert.match(r.stderr, /refuses to start/, label);
        assert.ok(r.stderr.includes(usersFile), `${label}: the message names the file`);
        assert.match(r.stderr, /To restore/, label);
        assert.doesNotMatch(r.stderr + r.stdout, /\n\s+at .+:\d+:\d+/, `${label}: no stack trace`);
      }
      const added = asideCopies(storeDir, 'users.json').filter((f) => !before.has(f));
      assert.equal(added.length, 1, `${label}: one copy moved aside`);
      assert.equal(readFileSync(path.join(storeDir, added[0]), 'utf8'), damaged, `${label}: the copy holds the damaged bytes unchanged`);
      assert.equal(existsSync(usersFile), false, `${label}: nothing was written in place of the damaged file`);
    }
    // The operator restores the backup: the server starts, the old admin signs in, an anonymous signup is a plain user.
    writeFileSync(usersFile, original);
    const s2 = await s.restart();
    try {
      assert.equal((await s2.api('POST', '/api/auth/login', { body: { email: admin.email, password: admin.password } })).body.user.role, 'admin');
      const anonymous = await s2.signup();
      assert.equal(anonymous.user.role, 'user');
      assert.equal(anonymous.user.plan, 'free');
    } finally {
      await s2.stop();
    }
  } finally {
    rmSync(s.dataDir, { recursive: true, force: true });
  }
  assert.equal(startedOnDamage, 0, `${startedOnDamage} of ${attempts} starts on a damaged accounts file got through`);
});

test('users.json deleted or emptied while other accounts\' data exists: refuses to start instead of making the next signup admin', async () => {
  const { s, usersFile, original } = await populated();
  try {
    unlinkSync(usersFile);
    const r = await expectRefusal(s.dataDir);
    assert.equal(r.code, 65);
    assert.ok(r.stderr.includes(usersFile));
    writeFileSync(usersFile, '{"schemaVersion":1,"items":[]}'); // well-formed, but every account is gone
    const r2 = await expectRefusal(s.dataDir);
    assert.equal(r2.code, 65);
    assert.match(r2.stderr, /missing or empty/);
    writeFileSync(usersFile, original);
    const s2 = await s.restart();
    assert.equal((await s2.signup()).user.role, 'user');
    await s2.stop();
  } finally {
    rmSync(s.dataDir, { recursive: true, force: true });
  }
});

test('a truly fresh DATA_DIR still gets its first admin from the first signup', async () => {
  const s = await startServer();
  try {
    assert.equal((await s.signup()).user.role, 'admin');
    assert.equal((await s.signup()).user.role, 'user');
  } finally {
    await s.dispose();
  }
});

test('damage in settings.json, plugins.json and per-user files is moved aside and logged; the server starts and never answers 500', async () => {
  const s = await startServer();
  const admin = await s.signup();
  const user = await s.signup();
  const conv = await s.api('POST', '/api/conversations', { token: user.token, body: { title: 'keep me' } });
  assert.equal(conv.status, 201);
  const convId = conv.body.id;
  assert.equal((await s.api('POST', `/api/conversations/${convId}/messages`, { token: user.token, body: { role: 'user', content: 'hello' } })).status, 201);
  assert.equal((await s.api('POST', '/api/config/settings', { token: admin.token, body: { max_steps: 5 } })).status, 200);
  await s.stop();
  const store = path.join(s.dataDir, 'store');
  writeFileSync(path.join(store, 'settings.json'), '{"schemaVersion":1,"items":[null]}');
  writeFileSync(path.join(store, 'plugins.json'), '{"items":[null]}');
  const convFile = path.join(store, 'conversations', `${user.user.id}.json`);
  const convData = JSON.parse(readFileSync(convFile, 'utf8'));
  writeFileSync(convFile, JSON.stringify({ ...convData, items: [null, ...convData.items, 7] }));
  // Messages are an append-only log: a line that is not a record in the middle of it is damage too.
  const msgFile = path.join(store, 'messages', user.user.id, `${convId}.jsonl`);
  const lines = readFileSync(msgFile, 'utf8').split('\n');
  writeFileSync(msgFile, [lines[0], 'null', '{"put":[1]}', ...lines.slice(1)].join('\n'));
  const s2 = await s.restart();
  try {
    assert.equal(asideCopies(store, 'settings.json').length, 1);
    assert.equal(asideCopies(store, 'plugins.json').length, 1);
    assert.match(s2.output, /damaged/);
    assert.equal((await s2.api('GET', '/api/health')).status, 200);
    assert.equal((await s2.api('GET', '/api/config', { token: admin.token })).status, 200);
    const list = await s2.api('GET', '/api/conversations', { token: user.token });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.body.conversations.map((c: any) => c.title), ['keep me'], 'the well-formed documents are kept');
    const one = await s2.api('GET', `/api/conversations/${convId}`, { token: user.token });
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(one.body.messages.map((m: any) => m.content), ['hello'], 'the readable records of the log are kept');
    assert.equal(asideCopies(path.dirname(convFile), path.basename(convFile)).length, 1);
    assert.equal(asideCopies(path.dirname(msgFile), path.basename(msgFile)).length, 1);
    assert.equal((await s2.api('POST', `/api/conversations/${convId}/messages`, { token: user.token, body: { role: 'user', content: 'again' } })).status, 201);
  } finally {
    await s2.dispose();
  }
});

test('a collection a plugin marks critical: damage refuses start, naming the file', async () => {
  const dir = pluginsDir();
  writePlugin(dir, 'vault', `export default { name: 'vault', version: '1.0.0', setup(ctx) {
    const c = ctx.store.collection('vault-items', { critical: true });
    ctx.routes.post('/vault', { access: 'public' }, async () => { await c.put({ id: 'k', v: 1 }); return { ok: true }; });
  } };`);
  const env = { PLUGINS_DIRS: dir };
  const s = await startServer({ env });
  try {
    assert.equal((await s.api('POST', '/api/vault')).status, 200);
    await s.stop();
    const file = path.join(s.dataDir, 'store', 'vault-items.json');
    writeFileSync(file, '{"items":[null]}');
    const r = await expectRefusal(s.dataDir, env);
    assert.equal(r.code, 65);
    assert.ok(r.stderr.includes(file), r.stderr);
    assert.equal(asideCopies(path.dirname(file), 'vault-items.json').length, 1);
  } finally {
    rmSync(s.dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a damaged jwt-secret is reported and left in place, never silently replaced', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aion-jwt-'));
  mkdirSync(dataDir, { recursive: true });
  const s = await startServer({ dataDir });
  const { token } = await s.signup();
  await s.stop();
  const file = path.join(dataDir, 'jwt-secret');
  const original = readFileSync(file, 'utf8');
  try {
    for (const damaged of [original.slice(0, 10), '', '\0'.repeat(64)]) {
      writeFileSync(file, damaged);
      const r = await expectRefusal(dataDir);
      assert.equal(r.code, 65);
      assert.ok(r.stderr.includes(file), r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/);
      assert.equal(readFileSync(file, 'utf8'), damaged, 'the damaged secret is left as it was');
    }
    writeFileSync(file, original);
    const s2 = await s.restart();
    assert.equal((await s2.api('GET', '/api/auth/me', { token })).status, 200, 'the restored secret still verifies old tokens');
    await s2.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
