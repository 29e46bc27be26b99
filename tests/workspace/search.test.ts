import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hasRipgrep, searchWorkspace, type SearchOptions } from '../../core/workspace/search.ts';
import { makeWorkspace, rejectsWith, type TempWorkspace } from './tmp.ts';

function project(ws: TempWorkspace) {
  const files: Record<string, string | Buffer> = {
    'src/app.ts': 'import x from "y";\nconst TODO = 1; // todo later\nexport function main() {\n  return fooBar(42);\n}\n',
    'src/util.ts': 'export const fooBar = (n: number) => n * 2;\n',
    'docs/notes.md': 'First line\nThe café is open\nlast line',
    'lib/crlf.txt': 'alpha\r\nbeta needle\r\ngamma\r\n',
    'node_modules/dep/index.js': 'needle in node_modules\n',
    '.git/HEAD': 'needle in git\n',
    'bin.dat': Buffer.concat([Buffer.from('needle'), Buffer.from([0, 1, 2])]),
    'image.png': Buffer.from('needle'),
    '.hidden/conf.txt': 'needle hidden\n',
  };
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(ws.root, rel)), { recursive: true });
    writeFileSync(path.join(ws.root, rel), content);
  }
  writeFileSync(path.join(ws.outside, 'leak.txt'), 'needle outside\n');
  symlinkSync(ws.outside, path.join(ws.root, 'out-link'));
}

const sortMatches = <T extends { file: string; line: number }>(m: T[]) =>
  [...m].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));

const engines: Array<'node' | 'ripgrep'> = ['node'];
if (await hasRipgrep()) engines.push('ripgrep');

for (const engine of engines) {
  const search = (root: string, o: SearchOptions) => searchWorkspace(root, { ...o, engine });

  test(`[${engine}] literal search: case-insensitive by default, line/column/text/context, excludes respected`, async (t) => {
    const ws = makeWorkspace();
    t.after(ws.cleanup);
    project(ws);
    const r = await search(ws.root, { query: 'needle' });
    assert.equal(r.engine, engine);
    // node_modules, .git, binaries and the symlink out are not searched; hidden folders are
    assert.deepEqual(sortMatches(r.matches).map((m) => m.file), ['.hidden/conf.txt', 'lib/crlf.txt']);
    const crlf = r.matches.find((m) => m.file === 'lib/crlf.txt')!;
    assert.equal(crlf.line, 2);
    assert.equal(crlf.column, 6);
    assert.equal(crlf.text, 'beta needle');
    assert.equal(crlf.context, 'alpha\nbeta needle\ngamma');
    assert.equal(r.totalMatches, 2);
    assert.equal(r.filesSearched, 5, 'non-matching text files count as searched');
    assert.equal(r.truncated, false);

    const todo = await search(ws.root, { query: 'todo' });
    assert.equal(todo.matches.length, 1, 'one match per line even with two hits on it');
    assert.equal(todo.matches[0].column, 7);
    const cs = await search(ws.root, { query: 'todo', caseSensitive: true });
    assert.equal(cs.matches[0].column, 20);
  });

  test(`[${engine}] regex search, column in UTF-16 units after non-ASCII text, context at file edges`, async (t) => {
    const ws = makeWorkspace();
    t.after(ws.cleanup);
    project(ws);
    const r = await search(ws.root, { query: 'foo[A-Z]\\w+\\(', regex: true });
    assert.deepEqual(r.matches.map((m) => [m.file, m.line, m.column, m.text]), [['src/app.ts', 4, 10, 'return fooBar(42);']]);
    assert.equal(r.matches[0].context, 'export function main() {\n  return fooBar(42);\n}');
    const open = await search(ws.root, { query: 'is open', regex: true });
    assert.equal(open.matches[0].column, 10); // "The café " is 9 UTF-16 units, 10 bytes
    const first = await search(ws.root, { query: '^First', regex: true });
    assert.equal(first.matches[0].context, 'First line\nThe café is open');
    const last = await search(ws.root, { query: 'last line$', regex: true });
    assert.equal(last.matches[0].line, 3);
    assert.equal(last.matches[0].context, 'The café is open\nlast line');
    // a literal query is not a regex
    assert.equal((await search(ws.root, { query: 'fooBar(' })).matches.length, 1);
    assert.equal((await search(ws.root, { query: 'n * 2' })).matches.length, 1);
  });

  test(`[${engine}] filePatterns, dirPath, maxResults, filesSearched`, async (t) => {
    const ws = makeWorkspace();
    t.after(ws.cleanup);
    project(ws);
    const ts = await search(ws.root, { query: 'export', filePatterns: ['*.ts'] });
    assert.deepEqual(sortMatches(ts.matches).map((m) => m.file), ['src/app.ts', 'src/util.ts']);
    const md = await search(ws.root, { query: 'line', filePatterns: ['docs/*.md'] });
    assert.equal(md.matches.length, 2);
    const sub = await search(ws.root, { query: 'export', dirPath: 'src' });
    assert.deepEqual(sortMatches(sub.matches).map((m) => m.file), ['src/app.ts', 'src/util.ts']);
    assert.equal(sub.filesSearched, 2);
    for (let i = 0; i < 30; i++) writeFileSync(path.join(ws.root, `many${i}.txt`), 'hit\nhit\n');
    const capped = await search(ws.root, { query: 'hit', maxResults: 10 });
    assert.equal(capped.matches.length, 10);
    assert.equal(capped.truncated, true);
    const exact = await search(ws.root, { query: 'hit', maxResults: 60 });
    assert.equal(exact.matches.length, 60);
    assert.equal(exact.truncated, false);
  });
}

test('bad input: invalid regex → 400 INVALID_REGEX; missing query; paths outside', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  project(ws);
  for (const engine of ['node', 'auto'] as const) {
    await rejectsWith(searchWorkspace(ws.root, { query: 'foo(', regex: true, engine }), 400, 'INVALID_REGEX');
    await rejectsWith(searchWorkspace(ws.root, { query: '[a-', regex: true, engine }), 400, 'INVALID_REGEX');
  }
  await rejectsWith(searchWorkspace(ws.root, { query: '' }), 400, 'VALIDATION_ERROR');
  await rejectsWith(searchWorkspace(ws.root, { query: 'x', maxResults: 0 }), 400, 'VALIDATION_ERROR');
  await rejectsWith(searchWorkspace(ws.root, { query: 'x', dirPath: '../outside' }), 400, 'PATH_OUTSIDE_WORKSPACE');
  await rejectsWith(searchWorkspace(ws.root, { query: 'x', dirPath: 'out-link' }), 400, 'PATH_OUTSIDE_WORKSPACE');
});

test('a JS-only regex (lookbehind) works whichever engine is preferred', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  project(ws);
  const r = await searchWorkspace(ws.root, { query: '(?<=return )foo', regex: true });
  assert.deepEqual(r.matches.map((m) => [m.file, m.line, m.column]), [['src/app.ts', 4, 10]]);
});

test('in-process engine: a catastrophic regex is stopped by the time bound without blocking the event loop', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  writeFileSync(path.join(ws.root, 'evil.txt'), 'a'.repeat(40) + '!\n');
  let ticks = 0;
  const iv = setInterval(() => ticks++, 20);
  const started = Date.now();
  const r = await searchWorkspace(ws.root, { query: '^(a+)+$', regex: true, engine: 'node', timeoutMs: 500 });
  clearInterval(iv);
  assert.ok(Date.now() - started < 3000);
  assert.equal(r.truncated, true);
  assert.deepEqual(r.matches, []);
  assert.ok(ticks >= 10, `event loop was blocked (ticks ${ticks})`);
});
