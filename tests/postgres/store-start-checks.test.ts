/**
 * The start checks on PostgreSQL. The attack: damage the accounts in the database (a row without a password hash,
 * a row whose document claims another id, all account rows deleted, the store's table dropped) and sign up
 * anonymously, hoping to become the admin of an "empty" server. The server must refuse to start (exit 65), say what is
 * damaged and how to restore it; after the restore the anonymous signup is a plain user.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase } from '../helpers/pg.ts';
import { ROOT, startServer, type TestServer } from '../helpers/server.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: pg.Pool;
let s: TestServer;
let users: Array<{ id: string; doc: string }>;
before(async () => {
  db = await createTestDatabase();
  sql = new pg.Pool({ connectionString: db.url, max: 2 });
  s = await startServer({ databaseUrl: db.url });
  await s.signup();
  const user = await s.signup();
  assert.equal((await s.api('POST', '/api/conversations', { token: user.token, body: { title: 'mine' } })).status, 201);
  await s.stop();
  users = (await sql.query("SELECT id, doc::text AS doc FROM store_documents WHERE collection = 'users' AND owner = '' ORDER BY seq")).rows;
  assert.equal(users.length, 2);
});
after(async () => {
  await sql.end();
  await s.dispose();
  await db.drop();
});

function expectRefusal(): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'core/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'test', LOG_LEVEL: 'warn', PORT: '0', HOST: '127.0.0.1', PLUGINS_WATCH: '0', DATA_DIR: s.dataDir, ENV_FILE: s.envFile, DATABASE_URL: db.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let stderr = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error('neither started nor exited in 30 s'))), 30_000);
    child.stdout.on('data', () => {
      if (/AION listening on/.test(out)) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`the server started on damaged accounts:\n${out}${stderr}`));
      }
    });
    child.once('exit', (code) => (clearTimeout(timer), resolve({ code, stderr })));
  });
}

async function restoreAndCheckAnonymousIsNotAdmin(): Promise<void> {
  await sql.query("DELETE FROM store_documents WHERE collection = 'users' AND owner = ''");
  for (const u of users) await sql.query("INSERT INTO store_documents (collection, owner, part, id, doc) VALUES ('users', '', '', $1, $2::json)", [u.id, u.doc]);
  s = await s.restart();
  const anon = await s.signup();
  assert.equal(anon.user.isAdmin, false, 'after the restore an anonymous signup is a plain user');
  await s.stop();
  users = (await sql.query("SELECT id, doc::text AS doc FROM store_documents WHERE collection = 'users' AND owner = '' ORDER BY seq")).rows;
}

const DAMAGES: Array<[string, string]> = [
  ['an account without a password hash', `UPDATE store_documents SET doc = (doc::jsonb - 'passwordHash')::json WHERE collection = 'users' AND owner = '' AND id = $1`],
  ['a row whose document claims another id', `UPDATE store_documents SET doc = jsonb_set(doc::jsonb, '{id}', '"someone-else"')::json WHERE collection = 'users' AND owner = '' AND id = $1`],
  ['a row holding null', `UPDATE store_documents SET doc = 'null'::json WHERE collection = 'users' AND owner = '' AND id = $1`],
];

for (const [what, statement] of DAMAGES) {
  test(`damaged accounts on PostgreSQL (${what}): refuses to start, names the rows; after a restore no anonymous admin`, async () => {
    await sql.query(statement, [users[0].id]);
    const r = await expectRefusal();
    assert.equal(r.code, 65, r.stderr);
    assert.match(r.stderr, /AION refuses to start: the accounts in PostgreSQL database .* are damaged/);
    assert.match(r.stderr, /store_documents WHERE collection = 'users'/);
    assert.doesNotMatch(r.stderr, /\bat .+:\d+:\d+/, 'no stack');
    await restoreAndCheckAnonymousIsNotAdmin();
  });
}

test('every account row deleted while user data exists: refuses to start (no "first signup becomes admin")', async () => {
  await sql.query("DELETE FROM store_documents WHERE collection = 'users' AND owner = ''");
  const r = await expectRefusal();
  assert.equal(r.code, 65, r.stderr);
  assert.match(r.stderr, /the accounts \(collection "users" of PostgreSQL database .*\) are missing/);
  assert.doesNotMatch(r.stderr, new RegExp(new URL(db.url).password || 'no-password-in-url'));
  await restoreAndCheckAnonymousIsNotAdmin();
});

test('the store table dropped behind the server\'s back: refuses to start instead of starting empty', async () => {
  const saved = (await sql.query('SELECT collection, owner, part, id, doc::text AS doc FROM store_documents ORDER BY seq')).rows;
  await sql.query('DROP TABLE store_documents');
  const r = await expectRefusal();
  assert.equal(r.code, 65, r.stderr);
  assert.match(r.stderr, /the table store_documents is missing/);
  // Restore from the "backup": the table's definition (its migration file), then the rows.
  await sql.query(readFileSync(path.join(ROOT, 'core/db/migrations/001-store-documents.sql'), 'utf8'));
  for (const row of saved) await sql.query('INSERT INTO store_documents (collection, owner, part, id, doc) VALUES ($1, $2, $3, $4, $5::json)', [row.collection, row.owner, row.part, row.id, row.doc]);
  s = await s.restart();
  const anon = await s.signup();
  assert.equal(anon.user.isAdmin, false);
  await s.stop();
});
