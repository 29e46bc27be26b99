/**
 * The confinement view for odd layouts an admin can create with `workspace_roots`: a workspace that contains the data
 * folder or an installation folder keeps them hidden / read-only, and a workspace inside the installation (outside
 * the data folder) is refused rather than bound writable.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { executeCode } from '../../core/workspace/execute.ts';
import { makeWorkspace, rejectsWith } from './tmp.ts';

test('a workspace that contains the data folder and an installation folder: hidden and read-only inside it', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  const data = path.join(ws.root, 'data');
  const install = path.join(ws.root, 'install');
  mkdirSync(data);
  mkdirSync(install);
  writeFileSync(path.join(data, 'users.json'), 'PASSWORD-HASHES');
  writeFileSync(path.join(install, 'plugin.ts'), 'export {}');
  const r = await executeCode({
    language: 'shell',
    code: 'cat data/users.json; ls data; echo x >> install/plugin.ts && echo WROTE-INSTALL; touch install/new && echo CREATED; echo mine > mine.txt && cat mine.txt',
    cwd: ws.root,
    hidePaths: [data],
    readOnlyPaths: [install],
  });
  assert.doesNotMatch(r.stdout, /PASSWORD-HASHES|users\.json|WROTE-INSTALL|CREATED/, r.stdout + r.stderr);
  assert.match(r.stdout, /^mine$/m);
  assert.equal(existsSync(path.join(install, 'new')), false);
});

test('a workspace inside the installation (and outside the data folder) is refused', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  await rejectsWith(
    executeCode({ language: 'shell', code: 'touch pwned', cwd: ws.root, hidePaths: [ws.outside], readOnlyPaths: [ws.base] }),
    500,
    'WORKSPACE_MISCONFIGURED',
  );
  assert.equal(existsSync(path.join(ws.root, 'pwned')), false);
});
