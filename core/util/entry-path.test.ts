import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { entryPath, normalFolder } from './entry-path.ts';

describe('entryPath', () => {
  it('is path.join for every folder and name, normal or not', () => {
    const dirs = ['/', '/a', '/a/', '/a/b', 'a', 'a/', 'a/b/', '.', './a', '../a', 'a/..', 'a/../b', '/a//b', '/a/./b', '/a/.', '/a/..', '..', '', '/a/.b', '/a/..b', 'a.', '/.hidden/x'];
    const names = ['x', 'x.ts', '.x', '..x', 'x..', '.', '..', '', 'a/b', '../x', 'x/', 'node_modules', 'é'];
    for (const d of dirs) for (const n of names) assert.equal(entryPath(d, n), path.join(d, n), `${JSON.stringify(d)} + ${JSON.stringify(n)}`);
  });

  it('normalFolder is path.normalize', () => {
    for (const d of ['/', '/a', '/a/', 'a', 'a/', '.', './a', '../a', 'a/..', '/a//b', '/a/./b', '/a/.', '/a/..', '..', '/a/.b', 'a.', '/x/../../y']) assert.equal(normalFolder(d), path.normalize(d), JSON.stringify(d));
  });
});
