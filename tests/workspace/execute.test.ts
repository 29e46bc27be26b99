import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { executeCode, normalizeLanguage, TRUNCATION_MARKER } from '../../core/workspace/execute.ts';
import { sandboxCapabilities } from '../../core/workspace/sandbox.ts';
import { makeWorkspace, rejectsWith } from './tmp.ts';

const caps = await sandboxCapabilities();
test(`sandbox capabilities here: ${JSON.stringify(caps)}`, () => {
  assert.ok(['isolated', 'not-isolated'].includes(caps.network));
});

/** Pids whose command line contains `marker` (ours are tagged with `exec -a`). */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker)) found.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

test('languages and aliases: python, javascript, shell — stdout, stderr, exit code, cwd', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  const py = await executeCode({ language: 'py', code: 'import sys, os\nprint(6*7)\nprint("warn", file=sys.stderr)\nprint(os.getcwd())\nsys.exit(3)', cwd: ws.root });
  assert.equal(py.language, 'python');
  assert.equal(py.stdout, `42\n${ws.root}\n`);
  assert.equal(py.stderr, 'warn\n');
  assert.equal(py.exitCode, 3);
  assert.equal(py.timedOut, false);
  assert.equal(py.truncated, false);
  assert.ok(py.durationMs >= 0);

  const js = await executeCode({ language: 'node', code: 'console.log(process.version); console.error("e"); process.exitCode = 5', cwd: ws.root });
  assert.equal(js.language, 'javascript');
  assert.match(js.stdout.trim(), /^v\d+\./, 'a node runs it');
  assert.equal(js.stderr, 'e\n');
  assert.equal(js.exitCode, 5);

  const esm = await executeCode({ language: 'js', code: 'import os from "node:os";\nconsole.log(typeof os.cpus);', cwd: ws.root });
  assert.equal(esm.stdout, 'function\n');

  const sh = await executeCode({ language: 'bash', code: 'echo "$HOME"; pwd; echo oops >&2; false', cwd: ws.root });
  assert.equal(sh.language, 'shell');
  assert.equal(sh.stdout, `${ws.root}\n${ws.root}\n`);
  assert.equal(sh.stderr, 'oops\n');
  assert.equal(sh.exitCode, 1);
  assert.equal((await executeCode({ language: 'sh', code: 'read x; echo "[$x]"', cwd: ws.root })).stdout, '[]\n');

  const syntax = await executeCode({ language: 'python', code: 'def (:', cwd: ws.root });
  assert.notEqual(syntax.exitCode, 0);
  assert.match(syntax.stderr, /SyntaxError/);
});

test('code sees workspace modules and files; temp files are cleaned up', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  writeFileSync(path.join(ws.root, 'helper.py'), 'VALUE = "from helper"\n');
  writeFileSync(path.join(ws.root, 'helper.cjs'), 'module.exports = "from cjs";\n');
  const py = await executeCode({ language: 'python', code: 'import helper; print(helper.VALUE); open("out.txt","w").write("written")', cwd: ws.root });
  assert.equal(py.stdout, 'from helper\n', py.stderr);
  assert.equal(readFileSync(path.join(ws.root, 'out.txt'), 'utf8'), 'written');
  const js = await executeCode({ language: 'javascript', code: 'console.log(require("./helper.cjs"))', cwd: ws.root });
  assert.equal(js.stdout, 'from cjs\n', js.stderr);
  const tmp = await executeCode({ language: 'shell', code: 'echo "$TMPDIR"; touch "$TMPDIR/x"', cwd: ws.root });
  // Confined: the private /tmp of the run's mount namespace; otherwise a per-run folder inside the workspace.
  assert.match(tmp.stdout, caps.fileSystem === 'read-only-except-workspace' ? /^\/tmp\n$/ : /\.aion-exec\/tmp-/);
  assert.deepEqual(readdirSync(path.join(ws.root, '.aion-exec')), [], 'per-run temp folder and script removed');
});

test('bad input: unsupported language, empty code', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  await rejectsWith(executeCode({ language: 'ruby', code: 'puts 1', cwd: ws.root }), 400, 'UNSUPPORTED_LANGUAGE');
  await rejectsWith(executeCode({ language: 'python', code: '   ', cwd: ws.root }), 400, 'VALIDATION_ERROR');
  assert.equal(normalizeLanguage(' Python '), 'python');
  assert.throws(() => normalizeLanguage(undefined), { code: 'UNSUPPORTED_LANGUAGE' });
});

test('the environment is clean: no keys, tokens or JWT secret, even via /proc', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  process.env.FAKE_API_KEY = 'fake-api-key-value-123';
  process.env.JWT_SECRET = 'jwt-secret-value-456';
  process.env.GITHUB_TOKEN = 'token-value-789';
  t.after(() => {
    delete process.env.FAKE_API_KEY;
    delete process.env.JWT_SECRET;
    delete process.env.GITHUB_TOKEN;
  });
  const r = await executeCode({ language: 'shell', code: 'env', cwd: ws.root });
  assert.equal(r.exitCode, 0);
  for (const leaked of ['FAKE_API_KEY', 'JWT_SECRET', 'GITHUB_TOKEN', 'fake-api-key-value-123', 'jwt-secret-value-456', 'token-value-789', 'NODE_OPTIONS']) {
    assert.ok(!r.stdout.includes(leaked), `${leaked} leaked`);
  }
  const names = r.stdout.split('\n').filter(Boolean).map((l) => l.split('=')[0]).sort();
  assert.deepEqual(names, ['HOME', 'LANG', 'PATH', 'PWD', 'PYTHONDONTWRITEBYTECODE', 'PYTHONUNBUFFERED', 'SHLVL', 'TERM', 'TMPDIR', '_']);
  if (caps.procHidden) {
    // With a private /proc the server's own environ is not even visible to root code.
    const proc = await executeCode({ language: 'shell', code: 'cat /proc/[0-9]*/environ 2>/dev/null | tr "\\0" "\\n"; ls /proc | grep -c "^[0-9]"', cwd: ws.root });
    assert.ok(!proc.stdout.includes('jwt-secret-value-456'));
    assert.ok(Number(proc.stdout.trim().split('\n').pop()) < 10, 'only the sandbox processes are visible');
  }
});

test('an infinite loop ends at the timeout with 124, and the children it spawned are gone', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  const marker = `aion-test-sleeper-${process.pid}-${Date.now()}`;
  const started = Date.now();
  const r = await executeCode({
    language: 'shell',
    code: `(exec -a ${marker}-bg sleep 1000) &\nsetsid bash -c 'exec -a ${marker}-setsid sleep 1000' &\necho started\nwhile :; do :; done`,
    cwd: ws.root,
    timeoutMs: 1500,
  });
  const elapsed = Date.now() - started;
  assert.equal(r.timedOut, true);
  assert.equal(r.exitCode, 124);
  assert.equal(r.stdout, 'started\n');
  assert.match(r.stderr, /\[Execution timed out after 1500ms\]/);
  assert.ok(elapsed >= 1400 && elapsed < 5000, `took ${elapsed} ms`);
  await new Promise((res) => setTimeout(res, 200));
  assert.deepEqual(processesWith(`${marker}-bg`), [], 'background child survived');
  if (caps.pidNamespace || caps.processLimit === 'cgroup') {
    assert.deepEqual(processesWith(`${marker}-setsid`), [], 'setsid child survived');
  } else {
    for (const pid of processesWith(`${marker}-setsid`)) process.kill(pid, 'SIGKILL');
  }

  const py = await executeCode({ language: 'python', code: 'while True: pass', cwd: ws.root, timeoutMs: 500 });
  assert.equal(py.exitCode, 124);
  const js = await executeCode({ language: 'javascript', code: 'for(;;){}', cwd: ws.root, timeoutMs: 500 });
  assert.equal(js.exitCode, 124);
});

test('a script that exits while a background child still runs returns at once and takes the child down', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  const marker = `aion-test-orphan-${process.pid}-${Date.now()}`;
  const started = Date.now();
  const r = await executeCode({ language: 'shell', code: `(exec -a ${marker} sleep 1000) &\necho done`, cwd: ws.root, timeoutMs: 20000 });
  assert.equal(r.stdout, 'done\n');
  assert.equal(r.exitCode, 0);
  assert.ok(Date.now() - started < 4000, `took ${Date.now() - started} ms`);
  await new Promise((res) => setTimeout(res, 200));
  assert.deepEqual(processesWith(marker), []);
});

test('a fork bomb ends without hurting the test process', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  // With no process cap at all (root without a pids cgroup) a real bomb could exhaust the host's PID table before
  // the timeout; then the bomb is bounded by depth instead (still ~2^12 processes racing the kill).
  const code = caps.processLimit === 'none'
    ? 'b(){ [ "$1" -lt 12 ] && { b $(($1+1)) & b $(($1+1)) & }; sleep 30; }; b 0'
    : ':(){ :|:& };:\nsleep 30'; // the main script stays, or the PID namespace would end the bomb at once
  const started = Date.now();
  const r = await executeCode({ language: 'shell', code, cwd: ws.root, timeoutMs: 2000, maxProcesses: 32 });
  assert.ok(Date.now() - started < 15000, `took ${Date.now() - started} ms`);
  assert.equal(r.timedOut, true, JSON.stringify(r).slice(0, 300));
  assert.equal(r.exitCode, 124);
  // the host is fine: we can still spawn processes and run code
  assert.equal(execFileSync('echo', ['alive'], { encoding: 'utf8' }), 'alive\n');
  const after = await executeCode({ language: 'shell', code: 'echo ok', cwd: ws.root });
  assert.equal(after.stdout, 'ok\n');
});

test('allocating 8 GB in python fails instead of succeeding', { skip: caps.memoryLimit === 'none' && 'no rlimit tool' }, async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  const r = await executeCode({ language: 'python', code: 'x = bytearray(8 * 1024**3)\nprint("allocated")', cwd: ws.root, timeoutMs: 20000 });
  assert.notEqual(r.exitCode, 0);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /MemoryError/);
  const js = await executeCode({ language: 'javascript', code: 'const b = Buffer.alloc(8 * 1024 ** 3); console.log("allocated")', cwd: ws.root, timeoutMs: 20000 });
  assert.notEqual(js.exitCode, 0);
  assert.equal(js.stdout, '');
});

test('50 MB of output is truncated with a marker and the run stopped', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  const started = Date.now();
  const r = await executeCode({ language: 'python', code: 'import sys\nfor _ in range(50):\n    sys.stdout.write("x" * 1_000_000)\nprint("never seen")', cwd: ws.root });
  assert.equal(r.truncated, true);
  assert.ok(r.stdout.endsWith(TRUNCATION_MARKER));
  assert.equal(Buffer.byteLength(r.stdout) - TRUNCATION_MARKER.length, 1024 * 1024);
  assert.ok(!r.stdout.includes('never seen'));
  assert.ok(Date.now() - started < 10000);
  // the cap is on stdout + stderr together
  const mixed = await executeCode({ language: 'shell', code: 'head -c 3000 /dev/zero | tr "\\0" o; head -c 3000 /dev/zero | tr "\\0" e >&2', cwd: ws.root, maxOutputBytes: 4096 });
  assert.equal(mixed.truncated, true);
  assert.equal(Buffer.byteLength(mixed.stdout) + Buffer.byteLength(mixed.stderr), 4096 + TRUNCATION_MARKER.length);
  // an infinite printer is stopped by the cap, long before its timeout
  const forever = await executeCode({ language: 'shell', code: 'yes', cwd: ws.root, timeoutMs: 60000 });
  assert.equal(forever.truncated, true);
  assert.equal(forever.timedOut, false);
  assert.ok(forever.durationMs < 10000);
});

test('no network when isolated: not even the server on loopback', { skip: caps.network !== 'isolated' && 'network namespaces unavailable' }, async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  const server = createServer((_req, res) => res.end('reachable'));
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;
  const code = `import socket\ntry:\n    socket.create_connection(("127.0.0.1", ${port}), timeout=2)\n    print("connected")\nexcept OSError as e:\n    print("blocked", type(e).__name__)`;
  const r = await executeCode({ language: 'python', code, cwd: ws.root });
  assert.match(r.stdout, /^blocked/);
  const dns = await executeCode({ language: 'javascript', code: 'fetch("http://example.com").then(() => console.log("fetched"), (e) => console.log("blocked"))', cwd: ws.root, timeoutMs: 10000 });
  assert.equal(dns.stdout, 'blocked\n');
});

test('an abort signal stops the run', async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 300);
  const r = await executeCode({ language: 'shell', code: 'sleep 30', cwd: ws.root, signal: ac.signal });
  assert.notEqual(r.exitCode, 0);
  assert.match(r.stderr, /aborted/);
  assert.ok(r.durationMs < 5000);
});

test('with capabilities dropped, root code cannot undo the sandbox', { skip: !caps.capabilitiesDropped && 'setpriv unavailable' }, async (t) => {
  const ws = makeWorkspace();
  t.after(ws.cleanup);
  const r = await executeCode({
    language: 'shell',
    code: 'grep CapEff /proc/self/status\numount /proc 2>/dev/null && echo UNMOUNTED\nls /sys/fs/cgroup | wc -l\nunshare -n true 2>/dev/null && echo UNSHARED\nexit 0',
    cwd: ws.root,
  });
  assert.match(r.stdout, /CapEff:\s+0+\n/);
  assert.doesNotMatch(r.stdout, /UNMOUNTED|UNSHARED/);
  if (caps.procHidden) assert.match(r.stdout, /^0$/m, 'cgroup filesystem hidden');
});
