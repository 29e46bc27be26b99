/**
 * The original client's shell and text-editor endpoints: `POST /api/command/execute` (its body and answer, run in the
 * caller's sandboxed workspace) and `POST /api/editor/execute` (view, create, str_replace, insert, undo_edit on
 * workspace files). Attacks: paths and working folders outside the workspace, another user's files, secrets.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { assertError, type Account } from './helpers.ts';

const SECRETS = { OPENAI_API_KEY: 'sk-command-should-not-leak', JWT_SECRET: 'jwt-secret-command-should-not-leak-0123' };
let s: TestServer;
let a: Account;
let b: Account;
before(async () => {
  s = await startServer({ env: SECRETS });
  a = await s.signup();
  b = await s.signup();
});
after(() => s.dispose());
const as = (who: Account) => (p: string, body: unknown) => s.api('POST', p, { token: who.token, body });
const cmd = (who: Account, body: unknown) => as(who)('/api/command/execute', body);
const ed = (who: Account, body: unknown) => as(who)('/api/editor/execute', body);

it('command: the original body and answer; exit code, stdout, stderr, duration', async () => {
  const r = await cmd(a, { command: 'echo hello; echo oops >&2; exit 3' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.body.success, r.body.stdout, r.body.stderr, r.body.exitCode, r.body.truncated], [true, 'hello\n', 'oops\n', 3, false]);
  assert.equal(typeof r.body.duration, 'number');
  const t = await cmd(a, { command: 'sleep 20', timeout: 300 });
  assert.deepEqual([t.status, t.body.exitCode, t.body.timedOut], [200, 124, true]);
  assertError(await cmd(a, {}), 400);
  assertError(await cmd(a, { command: '   ' }), 400);
  assertError(await s.api('POST', '/api/command/execute', { body: { command: 'id' } }), 401);
});

it('command: workingDirectory inside the workspace is used; outside it is refused', async () => {
  assert.equal((await as(a)('/api/files/write', { path: 'proj/src/note.txt', content: 'in proj' })).status, 200);
  const r = await cmd(a, { command: 'cat note.txt && echo && ls ..', workingDirectory: 'proj/src' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.stdout, 'in proj\nsrc\n');
  const quoted = await cmd(a, { command: 'pwd', workingDirectory: 'proj' });
  assert.match(quoted.body.stdout, /\/proj\n$/);
  for (const workingDirectory of ['../..', '/etc', '..', `../${b.user.id}`, 'proj/../../x']) {
    assertError(await cmd(a, { command: 'ls', workingDirectory }), 400, 'PATH_OUTSIDE_WORKSPACE');
  }
});

it('command: another workspace, the data folder and the secrets are out of reach', async () => {
  assert.equal((await as(b)('/api/files/write', { path: 'secret.txt', content: 'b-secret-content' })).status, 200);
  const bFile = path.join(s.dataDir, 'workspaces', b.user.id, 'secret.txt');
  const attacks = [
    `cat ${bFile}`, `cat ../${b.user.id}/secret.txt`, `ls ${path.join(s.dataDir, 'workspaces')}`, 'env', 'cat /proc/1/environ | tr "\\0" "\\n"',
    `cat ${path.join(s.dataDir, 'jwt-secret')}`,
    // The pattern is split so the script file itself (in the caller's workspace) does not match.
    `grep -rl "b-secret-con""tent" ${s.dataDir} / 2>/dev/null | head`,
  ];
  let leaked = 0;
  for (const command of attacks) {
    const r = await cmd(a, { command });
    assert.equal(r.status, 200, r.text);
    // stdout only: an error message may echo the path the attack named.
    const out: string = r.body.stdout;
    if (/b-secret-content|sk-command-should-not-leak|jwt-secret-command|secret\.txt/.test(out) || out.includes(b.user.id)) leaked++;
  }
  assert.equal(leaked, 0, `${leaked}/${attacks.length} attacks got through`);
});

it('editor: create, view (numbered, ranges), str_replace, insert, undo_edit — as the original answers', async () => {
  const c = await ed(a, { command: 'create', path: 'e/app.js', file_text: 'line one\nline two\nline three' });
  assert.equal(c.status, 200, c.text);
  assert.equal(c.body.success, true);
  assert.equal(typeof c.body.message, 'string');
  assert.equal((await ed(a, { command: 'view', path: 'e/app.js' })).body.content, '1\tline one\n2\tline two\n3\tline three');
  assert.equal((await ed(a, { command: 'view', path: 'e/app.js', view_range: [2, 3] })).body.content, '2\tline two\n3\tline three');
  assert.equal((await ed(a, { command: 'view', path: 'e/app.js', view_range: [2, -1] })).body.content, '2\tline two\n3\tline three');
  const rep = await ed(a, { command: 'str_replace', path: 'e/app.js', old_str: 'line two', new_str: 'line 2 $& literal' });
  assert.deepEqual([rep.status, rep.body.success], [200, true]);
  const ins = await ed(a, { command: 'insert', path: 'e/app.js', insert_line: 1, new_str: 'inserted' });
  assert.deepEqual([ins.status, ins.body.success], [200, true]);
  assert.equal((await as(a)('/api/files/read', { path: 'e/app.js' })).body.content, 'line one\ninserted\nline 2 $& literal\nline three');
  // Edits that cannot apply answer 200 { success: false, error } as the original (the client reads data.error).
  for (const body of [
    { command: 'str_replace', path: 'e/app.js', old_str: 'absent text', new_str: 'x' },
    { command: 'str_replace', path: 'e/app.js', old_str: 'line', new_str: 'x' },
    { command: 'view', path: 'e/missing.js' },
  ]) {
    const r = await ed(a, body);
    assert.deepEqual([r.status, r.body.success, typeof r.body.error], [200, false, 'string'], r.text);
  }
  assert.equal((await ed(a, { command: 'undo_edit', path: 'e/app.js' })).body.success, true);
  assert.equal((await as(a)('/api/files/read', { path: 'e/app.js' })).body.content, 'line one\nline 2 $& literal\nline three');
  assert.equal((await ed(a, { command: 'undo_edit', path: 'e/app.js' })).body.success, true);
  assert.equal((await as(a)('/api/files/read', { path: 'e/app.js' })).body.content, 'line one\nline two\nline three');
  assert.equal((await ed(a, { command: 'undo_edit', path: 'e/app.js' })).body.success, false);
  assert.equal((await ed(b, { command: 'undo_edit', path: 'e/app.js' })).body.success, false, "b has no such file and no history of a's");
});

it('editor: bad requests are 4xx; paths outside the workspace and another user\'s files are unreachable', async () => {
  assertError(await ed(a, { command: 'view' }), 400);
  assertError(await ed(a, { command: 'delete', path: 'x' }), 400);
  assertError(await ed(a, { command: 'create', path: 'x.txt' }), 400);
  assertError(await ed(a, { command: 'insert', path: 'e/app.js' }), 400);
  assertError(await ed(a, { command: 'insert', path: 'e/app.js', insert_line: 99, new_str: 'x' }), 400);
  assertError(await s.api('POST', '/api/editor/execute', { body: { command: 'view', path: 'e/app.js' } }), 401);
  const outside = ['../../etc/passwd', '/etc/passwd', `../${b.user.id}/secret.txt`, path.join(s.dataDir, 'workspaces', b.user.id, 'secret.txt'), '..%2f..%2fetc/passwd', 'e/../../x'];
  let through = 0;
  for (const p of outside) {
    for (const body of [{ command: 'view', path: p }, { command: 'create', path: p, file_text: 'pwned' }, { command: 'str_replace', path: p, old_str: 'b', new_str: 'x' }]) {
      const r = await ed(a, body);
      if (r.status === 200 && r.body.success) through++;
      assert.ok(r.status === 400 || (r.status === 200 && r.body.success === false), `${p}: ${r.text}`);
    }
  }
  assert.equal(through, 0);
  assert.equal((await as(b)('/api/files/read', { path: 'secret.txt' })).body.content, 'b-secret-content');
});
