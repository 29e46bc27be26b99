/**
 * Per-run memory and the workspace disk quota, through the HTTP API: ten processes of one run share one memory cap
 * (`code_memory_mb`, a memory cgroup), and `workspace_quota_mb` refuses API writes and edits with 413 `QUOTA_EXCEEDED`,
 * bounds every file executed code writes by the room left, and reports a run that went over it anyway.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';

let s: TestServer;
let admin: { token: string; user: any };

before(async () => {
  s = await startServer();
  admin = await s.signup();
});
after(() => s.dispose());

const settings = (body: Record<string, unknown>) => s.api('POST', '/api/config/settings', { token: admin.token, body });
const exec = (token: string, language: string, code: string) => s.api('POST', '/api/code/execute', { token, body: { language, code, timeout: 30_000 } });
const write = (token: string, filePath: string, content: string) => s.api('POST', '/api/files/write', { token, body: { filePath, content } });

test('ten processes of one run cannot together pass the run memory cap', async () => {
  const caps = await s.api('GET', '/api/code/capabilities', { token: admin.token });
  assert.equal(caps.body.capabilities.memoryLimit, 'cgroup', JSON.stringify(caps.body));
  assert.equal((await settings({ code_memory_mb: 64 })).status, 200);
  const u = await s.signup();
  // Each child holds 32 MB (touched, so it is really resident) for a few seconds: 320 MB in all, five times the cap.
  const code = `
import subprocess, sys
child = "import time\\nb = b'x' * (32 << 20)\\nprint('held', flush=True)\\ntime.sleep(3)\\nprint('done', flush=True)"
ps = [subprocess.Popen([sys.executable, '-c', child]) for _ in range(10)]
for p in ps:
    p.wait()
print('codes', sorted(p.returncode for p in ps), flush=True)
`;
  const r = await exec(u.token, 'python', code);
  assert.equal(r.status, 200, r.text);
  const done = (r.body.stdout.match(/^done$/gm) ?? []).length;
  console.log(`run memory: 10 processes × 32 MB under a 64 MB cap → ${done} held to the end`);
  assert.ok(done <= 2, `${done} processes held 32 MB each under a 64 MB cap: ${r.text}`);
  assert.match(r.body.stderr, /Memory limit of 64 MB for this run reached/);
  // The server is fine and the next run (same cap) works.
  assert.equal((await s.api('GET', '/api/health')).status, 200);
  const next = await exec(u.token, 'python', 'b = b"y" * (8 << 20)\nprint(len(b))');
  assert.equal(next.body.stdout, `${8 << 20}\n`, next.text);
  assert.equal((await settings({ code_memory_mb: 1024 })).status, 200);
  assert.equal((await settings({ code_memory_mb: 8 })).status, 400, 'below the minimum');
});

test('the workspace quota refuses API writes and edits beyond it with 413 QUOTA_EXCEEDED', async () => {
  assert.equal((await settings({ workspace_quota_mb: 1 })).status, 200);
  try {
    const u = await s.signup();
    const kb = (n: number) => 'q'.repeat(n * 1024);
    assert.equal((await write(u.token, 'a.txt', kb(600))).status, 200);
    const over = await write(u.token, 'b.txt', kb(600));
    assert.equal(over.status, 413, over.text);
    assert.equal(over.body.code, 'QUOTA_EXCEEDED');
    assert.match(over.body.error, /quota/i);
    // Replacing a file by a smaller one, and small files within the room left, still work.
    assert.equal((await write(u.token, 'a.txt', kb(100))).status, 200);
    assert.equal((await write(u.token, 'b.txt', kb(600))).status, 200);
    const edit = await s.api('POST', '/api/files/edit', { token: u.token, body: { filePath: 'a.txt', find: 'q'.repeat(10), replace: kb(500) } });
    if (edit.status !== 404) {
      // Only where the files API offers edit (the tools use the same service method).
      assert.equal(edit.status, 413, edit.text);
      assert.equal(edit.body.code, 'QUOTA_EXCEEDED');
    }
    // Another user's quota is their own.
    const other = await s.signup();
    assert.equal((await write(other.token, 'a.txt', kb(600))).status, 200);
  } finally {
    assert.equal((await settings({ workspace_quota_mb: 1024 })).status, 200);
  }
});

test('executed code: no file passes the room left, and a run that went over is reported and blocks API writes', async () => {
  assert.equal((await settings({ workspace_quota_mb: 2 })).status, 200);
  try {
    const u = await s.signup();
    // One big file: cut by RLIMIT_FSIZE at the room left (~2 MB), not the 8 MB asked for.
    const big = await exec(u.token, 'python', 'import os\ntry:\n    open("big.bin","wb").write(os.urandom(8 << 20))\n    print("wrote all")\nexcept OSError as e:\n    print("refused", e.errno)\nprint(os.path.getsize("big.bin"))');
    assert.equal(big.status, 200, big.text);
    assert.doesNotMatch(big.body.stdout, /wrote all/);
    const size = Number(big.body.stdout.trim().split('\n').at(-1));
    assert.ok(size <= 2 * 1024 * 1024, `big.bin is ${size} bytes`);
    // Many files each under the room left: RLIMIT_FSIZE is per file, so the recount after the run catches it.
    assert.equal((await exec(u.token, 'shell', 'rm -f big.bin')).body.exitCode, 0);
    const many = await exec(u.token, 'shell', 'for i in 1 2 3 4 5 6; do head -c 1000000 /dev/urandom > part$i.bin; done; ls part*.bin | wc -l');
    assert.equal(many.status, 200, many.text);
    assert.match(many.body.stderr, /over its disk quota/);
    const refused = await write(u.token, 'more.txt', 'x'.repeat(10_000));
    assert.equal(refused.status, 413, refused.text);
    assert.equal(refused.body.code, 'QUOTA_EXCEEDED');
    // Removing files frees the quota again.
    const clean = await exec(u.token, 'shell', 'rm -f part*.bin; echo cleaned');
    assert.equal(clean.body.stdout, 'cleaned\n');
    assert.doesNotMatch(clean.body.stderr, /over its disk quota/);
    assert.equal((await write(u.token, 'more.txt', 'x'.repeat(10_000))).status, 200);
  } finally {
    assert.equal((await settings({ workspace_quota_mb: 1024 })).status, 200);
  }
});

test('code that keeps writing files under the per-file cap is stopped while it runs, not only reported after', async () => {
  assert.equal((await settings({ workspace_quota_mb: 2 })).status, 200);
  try {
    const u = await s.signup();
    // 500 KB files forever (each under the room left): only the recount during the run can stop it.
    const r = await exec(u.token, 'shell', 'i=0; while true; do i=$((i+1)); head -c 500000 /dev/zero > f$i.bin; sleep 0.05; done');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.timedOut, false, 'stopped before its 30 s time limit');
    assert.match(r.body.stderr, /stopped: the workspace passed its disk quota/);
    const du = await exec(u.token, 'shell', 'du -sk . | cut -f1; rm -f f*.bin');
    const kb = Number(du.body.stdout.trim());
    console.log(`quota 2 MB, endless 500 KB writes: stopped at ${kb} KB`);
    assert.ok(kb < 2 * 1024 + 30 * 500, `stopped at ${kb} KB`);
  } finally {
    assert.equal((await settings({ workspace_quota_mb: 1024 })).status, 200);
  }
});
