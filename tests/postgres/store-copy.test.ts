/**
 * `npm run store:to-postgres` end to end: a server on the lowdb files is filled through the API (accounts,
 * conversations and messages with edits and deletions, TBWOs and receipts, the self-model, settings), stopped, copied
 * into an empty database, and a server on PostgreSQL (same DATA_DIR for the JWT secret and files) reads everything
 * back the same. Running the copy again refuses (exit 2) and changes nothing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase } from '../helpers/pg.ts';
import { ROOT, startServer, type TestServer } from '../helpers/server.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.dispose();
  await db?.drop();
});

function copy(dataDir: string, url: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/store-to-postgres.ts'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATA_DIR: dataDir, DATABASE_URL: url },
  });
}

test('copy a filled lowdb DATA_DIR into PostgreSQL, read it all back through the API; a second copy refuses', async () => {
  const files = await startServer({ env: { DATABASE_URL: '' } }); // the source installation: lowdb files
  servers.push(files);
  const admin = await files.signup();
  const user = await files.signup();
  const call = (s: TestServer, token: string) => async (m: string, p: string, body?: unknown) => {
    const r = await s.api(m, p, { token, body });
    assert.ok(r.status < 300, `${m} ${p}: ${r.status} ${r.text}`);
    return r.body;
  };
  const a = call(files, admin.token);
  await a('POST', '/api/conversations', { id: 'keep', title: 'Kept', metadata: { x: 1 } });
  for (let i = 0; i < 12; i++) await a('POST', '/api/messages', { id: `k${i}`, conversationId: 'keep', role: i % 2 ? 'assistant' : 'user', content: `t${i}` });
  await a('PATCH', '/api/messages/k3', { content: 'edited' });
  await a('DELETE', '/api/messages/k4');
  await a('POST', '/api/conversations', { id: 'archived' });
  await a('PATCH', '/api/conversations/archived', { isArchived: true });
  await a('POST', '/api/tbwos', { id: 'job', objective: 'o', timeBudgetMinutes: 45 });
  await a('PATCH', '/api/tbwo/job', { status: 'planning' });
  await a('POST', '/api/tbwo/job/receipts', { type: 'full', data: { a: 1 } });
  await a('POST', '/api/self-model/outcomes', { type: 'code_project', tbwoId: 'job', qualityScore: 8 });
  await a('POST', '/api/self-model/tool-reliability', { toolName: 'grep', success: false, errorReason: 'boom', duration: 12 });
  await a('POST', '/api/self-model/corrections', { original: 'a', corrected: 'b' });
  await a('POST', '/api/config/settings', { 'provider-claude-cli': { partial_messages: false } });
  const u = call(files, user.token);
  await u('POST', '/api/conversations', { id: 'theirs' });
  await u('POST', '/api/messages', { conversationId: 'theirs', role: 'user', content: 'private' });

  const read = async (s: TestServer, adminToken: string, userToken: string) => {
    const r = call(s, adminToken);
    return {
      list: await r('GET', '/api/conversations'),
      archived: await r('GET', '/api/conversations?archived=1'),
      keep: await r('GET', '/api/conversations/keep'),
      tbwos: await r('GET', '/api/tbwos'),
      receipts: await r('GET', '/api/tbwo/job/receipts'),
      outcomes: await r('GET', '/api/self-model/outcomes'),
      tools: await r('GET', '/api/self-model/tool-reliability'),
      corrections: await r('GET', '/api/self-model/corrections'),
      settings: (await r('GET', '/api/config')).settings,
      users: (await r('GET', '/api/admin/users')).users?.map((x: any) => x.email).sort(),
      theirs: await call(s, userToken)('GET', '/api/conversations/theirs'),
    };
  };
  const before = await read(files, admin.token, user.token);
  assert.equal(before.keep.messages.length, 11);
  await files.stop();

  db = await createTestDatabase();
  const first = copy(files.dataDir, db.url);
  assert.equal(first.status, 0, first.stderr + first.stdout);
  assert.match(first.stdout, /messages\s+12\s+\(2 users, 2 partitions\)/);
  assert.match(first.stdout, /users\s+2\s+\(global\)/);
  assert.doesNotMatch(first.stdout + first.stderr, new RegExp(new URL(db.url).password || 'no-password-in-url'), 'the password is not printed');

  const onPg = await startServer({ databaseUrl: db.url, dataDir: files.dataDir, envFile: files.envFile });
  servers.push(onPg);
  const login = async (acc: { email: string; password: string }) => (await onPg.api('POST', '/api/auth/login', { body: { email: acc.email, password: acc.password } })).body.token;
  const afterCopy = await read(onPg, await login(admin), await login(user));
  assert.deepEqual(afterCopy, before);
  // The copy is live data: ids stay taken, edits work.
  assert.equal((await onPg.api('POST', '/api/messages', { token: admin.token, body: { id: 'k0', conversationId: 'keep', role: 'user', content: 'x' } })).status, 409);

  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const count = async () => (await sql.query('SELECT count(*)::int AS n FROM store_documents')).rows[0].n;
  try {
    const rowsBefore = await count();
    const again = copy(files.dataDir, db.url);
    assert.equal(again.status, 2, again.stderr + again.stdout);
    assert.match(again.stderr, /Refused: the database already holds \d+ store documents/);
    assert.equal(await count(), rowsBefore, 'the refused copy changed nothing');
  } finally {
    await sql.end();
  }
});
