/**
 * The files endpoints over HTTP: every traversal form (and a planted symlink) is refused with 400
 * PATH_OUTSIDE_WORKSPACE, binary/missing files, per-user isolation, folders created on write, scan bounds and search.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
let a: { token: string; user: any };
let b: { token: string; user: any };
let outsideDir: string;
const wsOf = (userId: string) => path.join(s.dataDir, 'workspaces', userId);

before(async () => {
  s = await startServer();
  a = await s.signup();
  b = await s.signup();
  outsideDir = mkdtempSync(path.join(tmpdir(), 'aion-outside-'));
  writeFileSync(path.join(outsideDir, 'secret.txt'), 'TOP SECRET\n');
});
after(async () => {
  await s.dispose();
  rmSync(outsideDir, { recursive: true, force: true });
});

const post = (p: string, token: string, body: unknown) => s.api('POST', `/api/files/${p}`, { token, body });

function assertOutside(r: { status: number; body: any; text: string }, label: string) {
  assert.equal(r.status, 400, `${label}: ${r.text}`);
  assert.equal(r.body.code, 'PATH_OUTSIDE_WORKSPACE', label);
  assert.doesNotMatch(r.text, /TOP SECRET|root:x:0/, label);
}

test('write creates folders, read returns { success, content, path, size }, path/filePath aliases both work', async () => {
  const w = await post('write', a.token, { filePath: 'deep/er/note.txt', content: 'héllo' });
  assert.equal(w.status, 200, w.text);
  assert.deepEqual(w.body, { success: true, path: 'deep/er/note.txt', bytesWritten: 6 });
  assert.ok(existsSync(path.join(wsOf(a.user.id), 'deep/er/note.txt')));
  const r1 = await post('read', a.token, { filePath: 'deep/er/note.txt' });
  assert.deepEqual(r1.body, { success: true, content: 'héllo', path: 'deep/er/note.txt', size: 6 });
  const r2 = await post('read', a.token, { path: 'deep/er/note.txt' });
  assert.equal(r2.body.content, 'héllo');
  const l = await post('list', a.token, { dirPath: 'deep' });
  assert.equal(l.body.success, true);
  assert.equal(l.body.path, 'deep');
  assert.deepEqual(l.body.files.map((f: any) => [f.name, f.path, f.isDirectory]), [['er', 'deep/er', true]]);
  assert.equal(typeof l.body.files[0].modifiedAt, 'number');
  const l2 = await post('list', a.token, { path: 'deep/er' });
  assert.equal(l2.body.files[0].size, 6);
});

test('every traversal form is refused with 400 PATH_OUTSIDE_WORKSPACE (read, write, list, scan, search)', async () => {
  const rel = path.relative(wsOf(a.user.id), path.join(outsideDir, 'secret.txt'));
  const forms = [
    '../secret.txt',
    rel,
    '../../../../../../etc/passwd',
    path.join(outsideDir, 'secret.txt'),
    '/etc/passwd',
    rel.replace(/\//g, '\\'),
    '..\\..\\..\\..\\etc\\passwd',
    '%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '%252e%252e/%252e%252e/%252e%252e/%252e%252e/%252e%252e/etc/passwd',
    'ok.txt\u0000../../etc/passwd',
    'ok.txt%00',
    'C:\\Windows\\win.ini',
  ];
  for (const f of forms) {
    assertOutside(await post('read', a.token, { filePath: f }), `read ${JSON.stringify(f)}`);
    assertOutside(await post('read', a.token, { path: f }), `read path ${JSON.stringify(f)}`);
    assertOutside(await post('write', a.token, { filePath: f, content: 'pwned' }), `write ${JSON.stringify(f)}`);
  }
  for (const d of ['..', '../..', '/etc', '%2e%2e', '..\\..']) {
    assertOutside(await post('list', a.token, { dirPath: d }), `list ${d}`);
    assertOutside(await post('scan', a.token, { dirPath: d }), `scan ${d}`);
    assertOutside(await post('search', a.token, { query: 'root', dirPath: d }), `search ${d}`);
  }
  assert.equal((await import('node:fs')).readFileSync(path.join(outsideDir, 'secret.txt'), 'utf8'), 'TOP SECRET\n');
});

test('a symlink planted inside the workspace that points out is refused; a write through it changes nothing outside', async () => {
  const ws = wsOf(a.user.id);
  mkdirSync(ws, { recursive: true });
  symlinkSync(path.join(outsideDir, 'secret.txt'), path.join(ws, 'evil-link.txt'));
  symlinkSync(outsideDir, path.join(ws, 'evil-dir'));
  symlinkSync(path.join(outsideDir, 'not-yet.txt'), path.join(ws, 'dangling.txt'));
  assertOutside(await post('read', a.token, { filePath: 'evil-link.txt' }), 'read link');
  assertOutside(await post('read', a.token, { filePath: 'evil-dir/secret.txt' }), 'read via dir link');
  assertOutside(await post('write', a.token, { filePath: 'evil-link.txt', content: 'pwned' }), 'write link');
  assertOutside(await post('write', a.token, { filePath: 'evil-dir/new.txt', content: 'pwned' }), 'write via dir link');
  assertOutside(await post('write', a.token, { filePath: 'dangling.txt', content: 'pwned' }), 'write dangling');
  assertOutside(await post('list', a.token, { dirPath: 'evil-dir' }), 'list dir link');
  assertOutside(await post('scan', a.token, { dirPath: 'evil-dir' }), 'scan dir link');
  assert.equal(existsSync(path.join(outsideDir, 'new.txt')), false);
  assert.equal(existsSync(path.join(outsideDir, 'not-yet.txt')), false);
  // Scanning and searching the root never follows the links out.
  const scan = await post('scan', a.token, {});
  assert.equal(scan.status, 200, scan.text);
  assert.doesNotMatch(scan.text, /TOP SECRET/);
  const search = await post('search', a.token, { query: 'TOP SECRET' });
  assert.equal(search.status, 200, search.text);
  assert.equal(search.body.totalMatches, 0);
});

test('binary → 415, missing → 404, a directory → 400, no path → 400, bad body → 400, no token → 401', async () => {
  const ws = wsOf(a.user.id);
  mkdirSync(ws, { recursive: true });
  writeFileSync(path.join(ws, 'blob.bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]));
  const bin = await post('read', a.token, { filePath: 'blob.bin' });
  assert.equal(bin.status, 415, bin.text);
  assert.equal(bin.body.code, 'BINARY_FILE');
  const missing = await post('read', a.token, { filePath: 'nope/missing.txt' });
  assert.equal(missing.status, 404);
  assert.equal(typeof missing.body.error, 'string');
  assert.equal((await post('read', a.token, { filePath: 'deep' })).status, 400);
  assert.equal((await post('read', a.token, {})).status, 400);
  const bad = await post('write', a.token, { filePath: 'x.txt', content: 42 });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.code, 'VALIDATION_ERROR');
  assert.equal((await post('write', a.token, { filePath: 'x'.repeat(5000), content: '' })).status, 400);
  assert.equal((await s.api('POST', '/api/files/read', { body: { filePath: 'deep/er/note.txt' } })).status, 401);
});

test("two users cannot see each other's files", async () => {
  await post('write', a.token, { filePath: 'private/diary.txt', content: 'alice-only-secret-words' });
  const r = await post('read', b.token, { filePath: 'private/diary.txt' });
  assert.equal(r.status, 404);
  const l = await post('list', b.token, {});
  assert.equal(l.status, 200);
  assert.deepEqual(l.body.files, []);
  assert.equal((await post('list', b.token, { dirPath: 'private' })).status, 404);
  const s1 = await post('search', b.token, { query: 'alice-only-secret-words' });
  assert.equal(s1.status, 200);
  assert.equal(s1.body.totalMatches, 0);
  const sc = await post('scan', b.token, {});
  assert.equal(sc.body.summary.totalFiles, 0);
  // Naming A's workspace by its absolute path is an escape like any other.
  assertOutside(await post('read', b.token, { filePath: path.join(wsOf(a.user.id), 'private/diary.txt') }), 'absolute into A');
  assertOutside(await post('read', b.token, { filePath: `../${a.user.id}/private/diary.txt` }), 'relative into A');
  // A still sees its own.
  assert.equal((await post('search', a.token, { query: 'alice-only-secret-words' })).body.totalMatches, 1);
});

test('scan: tree, files with contents, default excludes, and its bounds (200 files, 100 KB a file)', async () => {
  const u = await s.signup();
  const ws = wsOf(u.user.id);
  mkdirSync(path.join(ws, 'src'), { recursive: true });
  mkdirSync(path.join(ws, 'node_modules/pkg'), { recursive: true });
  writeFileSync(path.join(ws, 'src/app.ts'), 'export const x = 1;\n');
  writeFileSync(path.join(ws, 'node_modules/pkg/index.js'), 'module.exports = 1;\n');
  writeFileSync(path.join(ws, 'big.txt'), 'y'.repeat(150 * 1024));
  const small = await post('scan', u.token, { dirPath: '.' });
  assert.equal(small.status, 200, small.text);
  assert.equal(small.body.success, true);
  assert.match(small.body.tree, /app\.ts/);
  assert.doesNotMatch(small.body.tree, /node_modules/);
  const app = small.body.files.find((f: any) => f.path === 'src/app.ts');
  assert.equal(app.content, 'export const x = 1;\n');
  const big = small.body.files.find((f: any) => f.path === 'big.txt');
  assert.equal(big.size, 150 * 1024);
  assert.ok(big.content.length < 1000, 'over-size file gets a placeholder');
  assert.equal(small.body.summary.truncated, false);
  assert.equal(typeof small.body.summary.languages, 'object');

  mkdirSync(path.join(ws, 'many'));
  for (let i = 0; i < 230; i++) writeFileSync(path.join(ws, 'many', `f${i}.txt`), `file ${i}\n`);
  const many = await post('scan', u.token, { path: 'many', includeContents: false });
  assert.equal(many.status, 200);
  assert.ok(many.body.files.length <= 200);
  assert.equal(many.body.summary.truncated, true);
  const filtered = await post('scan', u.token, { filePatterns: ['*.ts'] });
  assert.deepEqual(filtered.body.files.map((f: any) => f.path), ['src/app.ts']);
  assert.equal((await post('scan', u.token, { dirPath: 'src/app.ts' })).status, 400);
  assert.equal((await post('scan', u.token, { maxDepth: -1 })).status, 400);
});

test('scan counts extensions as own keys: b.constructor, x.__proto__, y.toString are languages, not inherited members', async () => {
  const u = await s.signup();
  for (const name of ['b.constructor', 'c.constructor', 'x.__proto__', 'y.toString', 'z.hasOwnProperty', 'a.ts']) {
    assert.equal((await post('write', u.token, { filePath: name, content: 'text\n' })).status, 200, name);
  }
  const r = await post('scan', u.token, {});
  assert.equal(r.status, 200, r.text);
  const langs = r.body.summary.languages;
  assert.doesNotMatch(r.text, /function|native code/);
  assert.deepEqual(
    Object.entries(langs).sort(([a], [b]) => (a < b ? -1 : 1)),
    [['__proto__', 1], ['constructor', 2], ['hasownproperty', 1], ['tostring', 1], ['ts', 1]],
  );
});

test('search: plain (case-insensitive by default), regex, caseSensitive, maxResults, bad regex → 400', async () => {
  const u = await s.signup();
  await post('write', u.token, { filePath: 'src/a.js', content: 'const Alpha = 1;\nfunction beta() {}\nconst alpha2 = 2;\n' });
  await post('write', u.token, { filePath: 'docs/readme.md', content: 'Alpha docs\n' });
  const plain = await post('search', u.token, { query: 'alpha' });
  assert.equal(plain.status, 200, plain.text);
  assert.equal(plain.body.success, true);
  assert.equal(plain.body.totalMatches, 3);
  assert.equal(plain.body.filesSearched, 2);
  const m = plain.body.matches.find((x: any) => x.file === 'src/a.js' && x.line === 1);
  assert.deepEqual({ column: m.column, text: m.text }, { column: 7, text: 'const Alpha = 1;' });
  assert.match(m.context, /function beta/);
  const cs = await post('search', u.token, { query: 'Alpha', caseSensitive: true });
  assert.equal(cs.body.totalMatches, 2);
  const rx = await post('search', u.token, { query: 'function\\s+\\w+\\(', regex: true, dirPath: 'src' });
  assert.equal(rx.body.totalMatches, 1);
  assert.equal(rx.body.matches[0].line, 2);
  const limited = await post('search', u.token, { query: 'alpha', maxResults: 1 });
  assert.equal(limited.body.matches.length, 1);
  const glob = await post('search', u.token, { query: 'alpha', filePatterns: ['*.md'] });
  assert.deepEqual(glob.body.matches.map((x: any) => x.file), ['docs/readme.md']);
  const bad = await post('search', u.token, { query: '(unclosed', regex: true });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error, /Invalid regex/);
  assert.equal((await post('search', u.token, {})).status, 400);
});

test('a path component longer than the file system allows is a 400, not a 500', async () => {
  const { startServer } = await import('../helpers/server.ts');
  const srv = await startServer();
  try {
    const u = await srv.signup();
    const long = 'x'.repeat(300);
    for (const route of ['read', 'write', 'list']) {
      const r = await srv.api('POST', `/api/files/${route}`, { token: u.token, body: { path: long, filePath: long, content: 'x' } });
      assert.equal(r.status, 400, `${route}: ${r.text}`);
      assert.equal(r.body.code, 'PATH_TOO_LONG');
    }
  } finally {
    await srv.dispose();
  }
});
