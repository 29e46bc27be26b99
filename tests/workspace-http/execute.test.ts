/**
 * `POST /api/code/execute` against the real server: the three languages, time limit (124), a fork bomb, a huge
 * allocation and a 50 MB print that leave the server healthy, no secret in the code's environment, disconnect aborts.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';

const SECRETS = {
  OPENAI_API_KEY: 'sk-should-not-leak',
  JWT_SECRET: 'jwt-secret-should-not-leak-0123456789',
  SOME_TOKEN: 'some-token-should-not-leak',
};

let s: TestServer;
let admin: { token: string; user: any };
let user: { token: string; user: any };

before(async () => {
  s = await startServer({ env: SECRETS });
  admin = await s.signup();
  user = await s.signup();
});
after(() => s.dispose());

const exec = (body: unknown, token = user.token) => s.api('POST', '/api/code/execute', { token, body });

async function assertHealthy() {
  const h = await s.api('GET', '/api/health');
  assert.equal(h.status, 200);
  assert.equal(h.body.status, 'ok');
}

test('python, javascript and shell run and answer the contract shape; aliases work', async () => {
  const py = await exec({ language: 'python', code: 'import sys\nprint(6*7)\nprint("oops", file=sys.stderr)' });
  assert.equal(py.status, 200, py.text);
  assert.deepEqual(Object.keys(py.body).sort(), ['durationMs', 'exitCode', 'language', 'stderr', 'stdout', 'success', 'timedOut', 'truncated']);
  assert.equal(py.body.success, true);
  assert.equal(py.body.language, 'python');
  assert.equal(py.body.stdout, '42\n');
  assert.equal(py.body.stderr, 'oops\n');
  assert.equal(py.body.exitCode, 0);
  assert.equal(py.body.timedOut, false);
  assert.equal(py.body.truncated, false);
  assert.equal(typeof py.body.durationMs, 'number');

  const js = await exec({ language: 'js', code: 'console.log([1,2,3].map(x => x * 2).join(","))' });
  assert.equal(js.body.language, 'javascript');
  assert.equal(js.body.stdout, '2,4,6\n');
  const sh = await exec({ language: 'bash', code: 'echo hi; exit 3' });
  assert.equal(sh.body.language, 'shell');
  assert.equal(sh.body.stdout, 'hi\n');
  assert.equal(sh.body.exitCode, 3);
  const node = await exec({ language: 'node', code: 'process.stdout.write(String(typeof require))' });
  assert.equal(node.body.stdout, 'function');
  const py2 = await exec({ language: 'py', code: 'raise SystemExit(5)' });
  assert.equal(py2.body.exitCode, 5);
});

test('code runs in the workspace: a file written by code is readable through /api/files', async () => {
  const r = await exec({ language: 'sh', code: 'mkdir -p out && echo from-code > out/r.txt && pwd' });
  assert.equal(r.body.exitCode, 0, r.text);
  const f = await s.api('POST', '/api/files/read', { token: user.token, body: { path: 'out/r.txt' } });
  assert.equal(f.body.content, 'from-code\n');
  // Another user's workspace does not have it.
  assert.equal((await s.api('POST', '/api/files/read', { token: admin.token, body: { path: 'out/r.txt' } })).status, 404);
});

test('bad input: unsupported language, missing code, empty code, bad timeout → 400', async () => {
  const lang = await exec({ language: 'cobol', code: 'DISPLAY 1' });
  assert.equal(lang.status, 400);
  assert.equal(lang.body.code, 'UNSUPPORTED_LANGUAGE');
  assert.match(lang.body.error, /Unsupported language/);
  assert.equal((await exec({ language: 'python' })).status, 400);
  assert.equal((await exec({ language: 'python', code: '   ' })).status, 400);
  assert.equal((await exec({ code: 'print(1)' })).status, 400);
  assert.equal((await exec({ language: 'python', code: 'print(1)', timeout: -5 })).status, 400);
  assert.equal((await exec({ language: 'python', code: 'print(1)', timeout: 'soon' })).status, 400);
  assert.equal((await s.api('POST', '/api/code/execute', { body: { language: 'python', code: 'print(1)' } })).status, 401);
});

test('an infinite loop ends at the timeout: 200, exitCode 124, timedOut true', async () => {
  const started = Date.now();
  const r = await exec({ language: 'python', code: 'while True:\n    pass', timeout: 1500 });
  const took = Date.now() - started;
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.exitCode, 124);
  assert.equal(r.body.timedOut, true);
  assert.match(r.body.stderr, /timed out after 1500ms/);
  assert.ok(took >= 1400 && took < 8000, `took ${took} ms`);
  const js = await exec({ language: 'javascript', code: 'for(;;){}', timeout: 1500 });
  assert.equal(js.body.exitCode, 124);
  assert.equal(js.body.timedOut, true);
});

test('a fork bomb is contained and the server stays healthy', async () => {
  // The script stays alive (sleep) while the bomb grows, so the run ends by the time limit with the whole tree killed.
  const started = Date.now();
  const r = await exec({ language: 'shell', code: 'bomb() { bomb | bomb & }; bomb; sleep 30; echo survived', timeout: 2000 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.timedOut, true);
  assert.equal(r.body.exitCode, 124);
  assert.doesNotMatch(r.body.stdout, /survived/);
  assert.ok(Date.now() - started < 15_000, 'the tree was killed promptly');
  await assertHealthy();
  const t0 = Date.now();
  const after = await exec({ language: 'shell', code: 'echo still-fine' });
  assert.equal(after.body.stdout, 'still-fine\n');
  assert.ok(Date.now() - t0 < 5000, 'the host is not bogged down by leftovers');
});

test('an 8 GB allocation fails inside the sandbox and the server stays healthy', async () => {
  const py = await exec({ language: 'python', code: 'x = bytearray(8 * 1024 ** 3)\nprint("allocated")', timeout: 10_000 });
  assert.equal(py.status, 200, py.text);
  assert.notEqual(py.body.exitCode, 0);
  assert.doesNotMatch(py.body.stdout, /allocated/);
  assert.match(py.body.stderr, /MemoryError/);
  const js = await exec({ language: 'javascript', code: 'const b = Buffer.alloc(8 * 1024 ** 3, 1); console.log("allocated", b.length)', timeout: 10_000 });
  assert.equal(js.status, 200, js.text);
  assert.notEqual(js.body.exitCode, 0);
  assert.doesNotMatch(js.body.stdout, /allocated/);
  await assertHealthy();
});

test('a 50 MB print is cut with truncated: true and the server stays healthy', async () => {
  const r = await exec({ language: 'python', code: 'import sys\nsys.stdout.write("x" * 50_000_000)\nprint("end")', timeout: 20_000 });
  assert.equal(r.status, 200);
  assert.equal(r.body.truncated, true);
  assert.ok(r.text.length < 2 * 1024 * 1024, `response is ${r.text.length} bytes`);
  assert.match(r.body.stdout, /\[output truncated\]$/);
  assert.equal(r.body.timedOut, false);
  await assertHealthy();
});

test('the environment of the code holds no secret of the server', async () => {
  const r = await exec({ language: 'shell', code: 'env; cat /proc/1/environ 2>/dev/null | tr "\\0" "\\n"' });
  assert.equal(r.status, 200);
  assert.match(r.body.stdout, /PATH=/);
  for (const [name, value] of Object.entries(SECRETS)) {
    assert.ok(!r.text.includes(value), `${name} leaked`);
    assert.ok(!r.body.stdout.includes(`${name}=`), `${name} present`);
  }
  const py = await exec({ language: 'python', code: 'import os\nprint(sorted(os.environ))' });
  for (const name of Object.keys(SECRETS)) assert.ok(!py.body.stdout.includes(name), `${name} visible to python`);
  const js = await exec({ language: 'javascript', code: 'console.log(JSON.stringify(process.env))' });
  for (const value of Object.values(SECRETS)) assert.ok(!js.body.stdout.includes(value));
});

test('a client that disconnects aborts the run', async () => {
  const marker = path.join(s.dataDir, 'workspaces', user.user.id, 'abort-marker.txt');
  const controller = new AbortController();
  const pending = fetch(`${s.url}/api/code/execute`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
    body: JSON.stringify({ language: 'shell', code: 'sleep 2; echo done > abort-marker.txt', timeout: 10_000 }),
    signal: controller.signal,
  }).catch((e) => e);
  await sleep(600);
  controller.abort();
  assert.equal((await pending).name, 'AbortError');
  await sleep(2500);
  assert.equal(existsSync(marker), false, 'the run was killed before it wrote the marker');
  // Without a disconnect the same code completes.
  const r = await exec({ language: 'shell', code: 'sleep 0.2; echo done > abort-marker.txt' });
  assert.equal(r.body.exitCode, 0);
  assert.equal(existsSync(marker), true);
});

test('GET /api/code/capabilities is admin-only and describes the sandbox', async () => {
  const r = await s.api('GET', '/api/code/capabilities', { token: admin.token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.success, true);
  assert.ok(['isolated', 'host'].includes(r.body.capabilities.network) || typeof r.body.capabilities.network === 'string');
  assert.equal(typeof r.body.capabilities.pidNamespace, 'boolean');
  assert.equal((await s.api('GET', '/api/code/capabilities', { token: user.token })).status, 403);
});

test('executed code cannot see other workspaces, the data folder, the JWT secret or the keys file', async () => {
  const { startServer } = await import('../helpers/server.ts');
  const { writeFileSync } = await import('node:fs');
  const srv = await startServer();
  try {
    writeFileSync(srv.envFile, 'OPENAI_API_KEY=sk-hidden-from-code\n');
    const a = await srv.signup();
    const b = await srv.signup();
    await srv.api('POST', '/api/files/write', { token: a.token, body: { filePath: 'secret.txt', content: 'alpha-private-content' } });
    await srv.api('POST', '/api/files/write', { token: b.token, body: { filePath: 'mine.txt', content: 'bee-own-content' } });
    const script = `cat ../*/secret.txt; ls ../..; cat ../../jwt-secret; cat ${srv.envFile}; cat ${srv.dataDir}/jwt-secret; cat mine.txt; echo done`;
    const r = await srv.api('POST', '/api/code/execute', { token: b.token, body: { language: 'shell', code: script, timeout: 10000 } });
    assert.equal(r.status, 200);
    const out = r.body.stdout + r.body.stderr;
    assert.match(r.body.stdout, /bee-own-content/, 'the own workspace stays readable');
    assert.match(r.body.stdout, /done/);
    assert.doesNotMatch(out, /alpha-private-content/);
    assert.doesNotMatch(out, /sk-hidden-from-code/);
    assert.doesNotMatch(out, /store|memory/);
    const { readFileSync } = await import('node:fs');
    const secret = readFileSync(`${srv.dataDir}/jwt-secret`, 'utf8').trim();
    assert.ok(!out.includes(secret), 'the JWT secret is not readable');
    const w = await srv.api('POST', '/api/code/execute', { token: b.token, body: { language: 'python', code: "open('made.txt','w').write('ok')", timeout: 10000 } });
    assert.equal(w.body.exitCode, 0);
    assert.equal((await srv.api('POST', '/api/files/read', { token: b.token, body: { filePath: 'made.txt' } })).body.content, 'ok');
  } finally {
    await srv.dispose();
  }
});
