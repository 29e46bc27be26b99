import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { resolveInWorkspace, workspaceRoot } from '../../core/workspace/paths.ts';
import { readWorkspaceFile, writeWorkspaceFile, listWorkspaceDir } from '../../core/workspace/files.ts';
import { makeWorkspace, rejectsWith } from './tmp.ts';

const OUT = 'PATH_OUTSIDE_WORKSPACE';

test('plain relative paths resolve inside, including not-yet-existing ones', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  mkdirSync(path.join(ws.root, 'src'));
  assert.equal(await resolveInWorkspace(ws.root, 'src'), path.join(ws.root, 'src'));
  assert.equal(await resolveInWorkspace(ws.root, 'src/new/deep/file.txt'), path.join(ws.root, 'src/new/deep/file.txt'));
  assert.equal(await resolveInWorkspace(ws.root, ''), ws.root);
  assert.equal(await resolveInWorkspace(ws.root, '.'), ws.root);
  assert.equal(await resolveInWorkspace(ws.root, './src/../src/a.txt'), path.join(ws.root, 'src/a.txt'));
  // names that merely start with dots are legal
  assert.equal(await resolveInWorkspace(ws.root, '..foo'), path.join(ws.root, '..foo'));
  assert.equal(await resolveInWorkspace(ws.root, 'a/...'), path.join(ws.root, 'a/...'));
  // an absolute path inside the workspace is accepted
  assert.equal(await resolveInWorkspace(ws.root, path.join(ws.root, 'src')), path.join(ws.root, 'src'));
});

test('every traversal form is refused with 400 PATH_OUTSIDE_WORKSPACE', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  const attempts = [
    '..',
    '../outside/secret.txt',
    'src/../../outside/secret.txt',
    '../../../../../../etc/passwd',
    '/etc/passwd',
    ws.secret,
    ws.outside,
    path.join(ws.root, '..', 'outside', 'secret.txt'),
    '..\\outside\\secret.txt',
    '..\\..\\etc\\passwd',
    'src\\..\\..\\outside',
    '%2e%2e/outside/secret.txt',
    '%2E%2E%2Foutside%2Fsecret.txt',
    '%252e%252e/outside/secret.txt',
    '%25252e%25252e%25252f',
    '..%2foutside',
    '..%5coutside',
    'ok.txt\0',
    'ok.txt\0/../../etc/passwd',
    'ok%00.txt',
    'C:\\Windows\\system.ini',
    '\\\\server\\share\\x',
    '//etc/passwd',
    '~/../../etc/passwd/..'.replace('~', '..'),
  ];
  for (const p of attempts) {
    await rejectsWith(resolveInWorkspace(ws.root, p), 400, OUT).catch((e) => {
      throw new Error(`not refused: ${JSON.stringify(p)}: ${e.message}`);
    });
  }
});

test('symlinks planted inside that lead out are refused (file, directory, dangling, chained)', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  symlinkSync(ws.secret, path.join(ws.root, 'link-file'));
  symlinkSync(ws.outside, path.join(ws.root, 'link-dir'));
  symlinkSync('../outside', path.join(ws.root, 'rel-link-dir'));
  symlinkSync(path.join(ws.outside, 'not-yet.txt'), path.join(ws.root, 'dangling'));
  mkdirSync(path.join(ws.root, 'a'));
  symlinkSync('../link-dir', path.join(ws.root, 'a', 'chain'));
  symlinkSync('/', path.join(ws.root, 'slash'));
  for (const p of ['link-file', 'link-dir', 'link-dir/secret.txt', 'link-dir/new.txt', 'link-dir/new/deeper.txt', 'rel-link-dir/secret.txt', 'dangling', 'a/chain/secret.txt', 'slash/etc/passwd']) {
    await rejectsWith(resolveInWorkspace(ws.root, p), 400, OUT).catch((e) => {
      throw new Error(`not refused: ${p}: ${e.message}`);
    });
  }
  // ...and through the file API: no read, and no write creating a file outside
  await rejectsWith(readWorkspaceFile(ws.root, 'link-file'), 400, OUT);
  await rejectsWith(readWorkspaceFile(ws.root, 'link-dir/secret.txt'), 400, OUT);
  await rejectsWith(writeWorkspaceFile(ws.root, 'dangling', 'pwned'), 400, OUT);
  await rejectsWith(writeWorkspaceFile(ws.root, 'link-dir/new.txt', 'pwned'), 400, OUT);
  await rejectsWith(listWorkspaceDir(ws.root, 'link-dir'), 400, OUT);
  assert.equal(existsSync(path.join(ws.outside, 'not-yet.txt')), false);
  assert.equal(existsSync(path.join(ws.outside, 'new.txt')), false);
});

test('symlinks that stay inside are followed', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  mkdirSync(path.join(ws.root, 'real'));
  writeFileSync(path.join(ws.root, 'real', 'f.txt'), 'hello');
  symlinkSync('real', path.join(ws.root, 'alias'));
  assert.equal(await resolveInWorkspace(ws.root, 'alias/f.txt'), path.join(ws.root, 'real', 'f.txt'));
  assert.equal((await readWorkspaceFile(ws.root, 'alias/f.txt')).content, 'hello');
});

test('a loop of symlinks is refused rather than hanging', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  symlinkSync('b', path.join(ws.root, 'a'));
  symlinkSync('a', path.join(ws.root, 'b'));
  await rejectsWith(resolveInWorkspace(ws.root, 'a/x'), 400, OUT);
});

test('the root itself may be a symlink (it is realpath-ed)', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  const alias = path.join(ws.base, 'root-alias');
  symlinkSync(ws.root, alias);
  assert.equal(await resolveInWorkspace(alias, 'x.txt'), path.join(ws.root, 'x.txt'));
  assert.equal(await resolveInWorkspace(alias, path.join(alias, 'x.txt')), path.join(ws.root, 'x.txt'));
  await rejectsWith(resolveInWorkspace(alias, '../outside'), 400, OUT);
});

test('workspaceRoot creates DATA_DIR/workspaces/<userId> on demand, honours overrides, rejects odd ids', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  const dir = await workspaceRoot(ws.base, 'user-1');
  assert.equal(dir, path.join(ws.base, 'workspaces', 'user-1'));
  assert.ok(statSync(dir).isDirectory());
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  const mapped = await workspaceRoot(ws.base, 'user-2', { 'user-2': path.join(ws.base, 'custom') });
  assert.equal(mapped, path.join(ws.base, 'custom'));
  for (const bad of ['..', '../x', 'a/b', '', '.hidden', 'a\\b', 'x\0']) {
    await rejectsWith(workspaceRoot(ws.base, bad), 400, 'INVALID_USER_ID');
  }
});
