import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { editWorkspaceFile, listWorkspaceDir, readWorkspaceFile, writeWorkspaceFile, MAX_READ_BYTES } from '../../core/workspace/files.ts';
import { scanWorkspace } from '../../core/workspace/scan.ts';
import { makeWorkspace, rejectsWith } from './tmp.ts';

test('write creates folders atomically; read returns content, path and size', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  const w = await writeWorkspaceFile(ws.root, 'a/b/c.txt', 'héllo\n');
  assert.deepEqual(w, { path: 'a/b/c.txt', bytesWritten: 7 });
  assert.equal(readFileSync(path.join(ws.root, 'a/b/c.txt'), 'utf8'), 'héllo\n');
  // no temp file left behind
  assert.deepEqual(readdirSync(path.join(ws.root, 'a/b')), ['c.txt']);
  assert.deepEqual(await readWorkspaceFile(ws.root, 'a/b/c.txt'), { path: 'a/b/c.txt', content: 'héllo\n', size: 7 });
  // overwrite, and empty content is allowed
  await writeWorkspaceFile(ws.root, 'a/b/c.txt', '');
  assert.equal((await readWorkspaceFile(ws.root, 'a/b/c.txt')).content, '');
});

test('a write through a symlink that stays inside lands on its target', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  writeFileSync(path.join(ws.root, 'target.txt'), 'original');
  symlinkSync('target.txt', path.join(ws.root, 'link.txt'));
  // link.txt resolves to target.txt (inside), so the write lands on the real file
  await writeWorkspaceFile(ws.root, 'link.txt', 'new');
  assert.equal(readFileSync(path.join(ws.root, 'target.txt'), 'utf8'), 'new');
  assert.equal(readFileSync(ws.secret, 'utf8'), 'TOP SECRET\n');
});

test('read: missing 404, directory 400, too large 413, binary 415 (NUL and invalid UTF-8)', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  await rejectsWith(readWorkspaceFile(ws.root, 'nope.txt'), 404, 'FILE_NOT_FOUND');
  await rejectsWith(readWorkspaceFile(ws.root, 'nope/deeper.txt'), 404, 'FILE_NOT_FOUND');
  mkdirSync(path.join(ws.root, 'dir'));
  await rejectsWith(readWorkspaceFile(ws.root, 'dir'), 400, 'IS_A_DIRECTORY');
  writeFileSync(path.join(ws.root, 'big.txt'), 'x'.repeat(MAX_READ_BYTES + 1));
  await rejectsWith(readWorkspaceFile(ws.root, 'big.txt'), 413, 'FILE_TOO_LARGE');
  writeFileSync(path.join(ws.root, 'exact.txt'), 'x'.repeat(MAX_READ_BYTES));
  assert.equal((await readWorkspaceFile(ws.root, 'exact.txt')).size, MAX_READ_BYTES);
  writeFileSync(path.join(ws.root, 'nul.txt'), Buffer.from([104, 105, 0, 33]));
  await rejectsWith(readWorkspaceFile(ws.root, 'nul.txt'), 415, 'BINARY_FILE');
  writeFileSync(path.join(ws.root, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x21]));
  await rejectsWith(readWorkspaceFile(ws.root, 'latin1.txt'), 415, 'BINARY_FILE');
  writeFileSync(path.join(ws.root, 'img.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
  await rejectsWith(readWorkspaceFile(ws.root, 'img.png'), 415, 'BINARY_FILE');
  // invalid UTF-8 past the first 8 KB is still caught
  writeFileSync(path.join(ws.root, 'late.txt'), Buffer.concat([Buffer.from('a'.repeat(10000)), Buffer.from([0xff])]));
  await rejectsWith(readWorkspaceFile(ws.root, 'late.txt'), 415, 'BINARY_FILE');
  // a multi-byte character straddling the 8 KB sniff boundary is fine
  writeFileSync(path.join(ws.root, 'edge.txt'), 'a'.repeat(8191) + 'é');
  assert.equal((await readWorkspaceFile(ws.root, 'edge.txt')).content.length, 8192);
});

test('write: over 5 MB → 413; onto a folder or the root → 400', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  await rejectsWith(writeWorkspaceFile(ws.root, 'huge.txt', 'x'.repeat(5 * 1024 * 1024 + 1)), 413, 'FILE_TOO_LARGE');
  mkdirSync(path.join(ws.root, 'dir'));
  await rejectsWith(writeWorkspaceFile(ws.root, 'dir', 'x'), 400, 'IS_A_DIRECTORY');
  await rejectsWith(writeWorkspaceFile(ws.root, '.', 'x'), 400, 'IS_A_DIRECTORY');
  await rejectsWith(writeWorkspaceFile(ws.root, '../escape.txt', 'x'), 400, 'PATH_OUTSIDE_WORKSPACE');
});

test('list: folders first, relative paths, sizes and mtimes; links out are not stat-ed through', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  writeFileSync(path.join(ws.root, 'b.txt'), '12345');
  mkdirSync(path.join(ws.root, 'zdir'));
  writeFileSync(path.join(ws.root, 'zdir', 'inner.txt'), 'x');
  symlinkSync(ws.outside, path.join(ws.root, 'out-link'));
  const r = await listWorkspaceDir(ws.root);
  assert.equal(r.path, '.');
  assert.deepEqual(r.files.map((f) => f.name), ['zdir', 'b.txt', 'out-link']);
  const b = r.files.find((f) => f.name === 'b.txt')!;
  assert.equal(b.size, 5);
  assert.equal(b.path, 'b.txt');
  assert.equal(b.isDirectory, false);
  assert.ok(b.modifiedAt > Date.now() - 60_000);
  assert.equal(r.files.find((f) => f.name === 'out-link')!.isDirectory, false);
  const sub = await listWorkspaceDir(ws.root, 'zdir');
  assert.deepEqual(sub.files.map((f) => f.path), ['zdir/inner.txt']);
  await rejectsWith(listWorkspaceDir(ws.root, 'b.txt'), 400, 'NOT_A_DIRECTORY');
  await rejectsWith(listWorkspaceDir(ws.root, 'missing'), 404, 'FILE_NOT_FOUND');
});

test('edit: exact single replacement, not found, ambiguous, replaceAll, $ patterns literal', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  await writeWorkspaceFile(ws.root, 'f.ts', 'const a = 1;\nconst b = 1;\n');
  await rejectsWith(editWorkspaceFile(ws.root, 'f.ts', 'const c', 'x'), 400, 'EDIT_NOT_FOUND');
  await rejectsWith(editWorkspaceFile(ws.root, 'f.ts', '= 1', '= 2'), 400, 'EDIT_AMBIGUOUS');
  await rejectsWith(editWorkspaceFile(ws.root, 'f.ts', '', 'x'), 400, 'VALIDATION_ERROR');
  const one = await editWorkspaceFile(ws.root, 'f.ts', 'const a = 1', "const a = '$&'");
  assert.equal(one.replacements, 1);
  assert.equal(readFileSync(path.join(ws.root, 'f.ts'), 'utf8'), "const a = '$&';\nconst b = 1;\n");
  const all = await editWorkspaceFile(ws.root, 'f.ts', 'const', 'let', { replaceAll: true });
  assert.equal(all.replacements, 2);
  assert.equal(readFileSync(path.join(ws.root, 'f.ts'), 'utf8'), "let a = '$&';\nlet b = 1;\n");
  await rejectsWith(editWorkspaceFile(ws.root, 'missing.ts', 'a', 'b'), 404, 'FILE_NOT_FOUND');
});

function buildProject(root: string) {
  const files: Record<string, string | Buffer> = {
    'README.md': '# demo\n',
    'src/index.ts': 'export const x = 1;\n',
    'src/util/helpers.ts': 'export function h() {}\n',
    'src/util/deep/deeper/deepest.py': 'print(1)\n',
    'node_modules/lib/index.js': 'module.exports = 1;\n',
    '.git/config': '[core]\n',
    'dist/out.js': 'built\n',
    'build/out.js': 'built\n',
    '.env': 'API_KEY=secret\n',
    '.venv/bin/activate': 'x\n',
    '__pycache__/m.pyc': Buffer.from([0, 1, 2]),
    'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0]),
    'data.txt': Buffer.from([1, 2, 0, 3]),
    'notes/todo.txt': 'todo\n',
  };
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
}

test('scan: tree + contents, default excludes and binaries skipped, languages counted', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  buildProject(ws.root);
  symlinkSync(ws.outside, path.join(ws.root, 'out-link'));
  const r = await scanWorkspace(ws.root);
  const paths = r.files.map((f) => f.path).sort();
  assert.deepEqual(paths, ['README.md', 'notes/todo.txt', 'src/index.ts', 'src/util/deep/deeper/deepest.py', 'src/util/helpers.ts']);
  assert.equal(r.files.find((f) => f.path === 'src/index.ts')!.content, 'export const x = 1;\n');
  assert.equal(r.summary.totalFiles, 5);
  assert.deepEqual(r.summary.languages, { md: 1, txt: 1, ts: 2, py: 1 });
  assert.equal(r.summary.truncated, false);
  assert.match(r.tree, /^\.\//);
  assert.match(r.tree, /src\//);
  assert.match(r.tree, /helpers\.ts/);
  assert.doesNotMatch(r.tree, /node_modules|\.git\b|secret|out-link/);
  assert.equal(r.summary.totalSize, r.files.reduce((s, f) => s + f.size, 0));
});

test('scan: maxDepth, recursive=false, filePatterns, excludePatterns, dirPath, includeContents=false', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  buildProject(ws.root);
  const shallow = await scanWorkspace(ws.root, { maxDepth: 1 });
  assert.deepEqual(shallow.files.map((f) => f.path).sort(), ['README.md', 'notes/todo.txt', 'src/index.ts']);
  const flat = await scanWorkspace(ws.root, { recursive: false });
  assert.deepEqual(flat.files.map((f) => f.path), ['README.md']);
  const tsOnly = await scanWorkspace(ws.root, { filePatterns: ['*.ts'] });
  assert.deepEqual(tsOnly.files.map((f) => f.path).sort(), ['src/index.ts', 'src/util/helpers.ts']);
  const braces = await scanWorkspace(ws.root, { filePatterns: ['**/*.{py,md}'] });
  assert.deepEqual(braces.files.map((f) => f.path).sort(), ['README.md', 'src/util/deep/deeper/deepest.py']);
  const noUtil = await scanWorkspace(ws.root, { excludePatterns: ['util', '*.md'] });
  assert.deepEqual(noUtil.files.map((f) => f.path).sort(), ['notes/todo.txt', 'src/index.ts']);
  const sub = await scanWorkspace(ws.root, { dirPath: 'src/util' });
  assert.deepEqual(sub.files.map((f) => f.path).sort(), ['src/util/deep/deeper/deepest.py', 'src/util/helpers.ts']);
  assert.equal(sub.path, 'src/util');
  const bare = await scanWorkspace(ws.root, { includeContents: false });
  assert.ok(bare.files.every((f) => f.content === ''));
  assert.equal(bare.files.length, 5);
  await rejectsWith(scanWorkspace(ws.root, { dirPath: '../outside' }), 400, 'PATH_OUTSIDE_WORKSPACE');
  await rejectsWith(scanWorkspace(ws.root, { dirPath: 'README.md' }), 400, 'NOT_A_DIRECTORY');
  await rejectsWith(scanWorkspace(ws.root, { filePatterns: 'x'.repeat(300) as unknown as string[] }), 400, 'VALIDATION_ERROR');
});

test('scan: bounds — 100 KB a file (placeholder), 2 MB total, 200 files', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  writeFileSync(path.join(ws.root, 'big.txt'), 'x'.repeat(100 * 1024 + 1));
  const big = await scanWorkspace(ws.root);
  assert.match(big.files[0].content, /^\[File too large/);
  assert.equal(big.files[0].size, 100 * 1024 + 1);

  for (let i = 0; i < 30; i++) writeFileSync(path.join(ws.root, `f${String(i).padStart(2, '0')}.txt`), 'y'.repeat(90 * 1024));
  const total = await scanWorkspace(ws.root);
  const contentBytes = total.files.reduce((s, f) => s + (f.content.startsWith('[') ? 0 : Buffer.byteLength(f.content)), 0);
  assert.ok(contentBytes <= 2 * 1024 * 1024, `content ${contentBytes}`);
  assert.equal(total.summary.truncated, true);

  const many = makeWorkspace();
  t.after(many.cleanup);
  for (let i = 0; i < 250; i++) writeFileSync(path.join(many.root, `n${i}.txt`), 'z');
  const r = await scanWorkspace(many.root);
  assert.equal(r.files.length, 200);
  assert.equal(r.summary.truncated, true);
});
