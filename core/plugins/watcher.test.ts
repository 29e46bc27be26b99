import assert from 'node:assert/strict';
import { test } from 'node:test';
import { folderOf, ignoredPath } from './watcher.ts';

test('a change is charged to the plugin folder directly under its root', () => {
  assert.equal(folderOf('/p', '/p/hello/index.js'), 'hello');
  assert.equal(folderOf('/p', '/p/hello/lib/deep/x.ts'), 'hello');
  assert.equal(folderOf('/p', '/p'), undefined);
  assert.equal(folderOf('/p', '/other/hello/index.js'), undefined);
});

test('editor droppings and dependency folders are ignored, real sources are not', () => {
  for (const f of ['/p/a/.index.js.swp', '/p/a/index.js~', '/p/a/node_modules/x/i.js', '/p/a/.git/HEAD', '/p/a/4913', '/p/.hidden/index.js']) {
    assert.equal(ignoredPath('/p', f), true, f);
  }
  for (const f of ['/p/a/index.js', '/p/a/plugin.json', '/p/a/src/tool.ts', '/p/a', '/p']) assert.equal(ignoredPath('/p', f), false, f);
});
