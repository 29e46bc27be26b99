/**
 * The workspace tools through the echo provider and `POST /api/chat`: file tools run without asking, confinement holds
 * for tools too, and execute_code / run_command ask for approval unless a paying user is listed in
 * `exec_approval_off_users`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { readSse, startServer, type SseEvent, type TestServer } from '../helpers/server.ts';

let s: TestServer;
let admin: { token: string; user: any };

before(async () => {
  s = await startServer();
  admin = await s.signup();
  await s.api('POST', '/api/config/settings', { token: admin.token, body: { approval_timeout_ms: 5000 } });
});
after(() => s.dispose());

const chat = (token: string, message: string, onEvent?: (e: SseEvent) => void | Promise<void>) =>
  readSse(`${s.url}/api/chat`, { token, body: { message }, onEvent });
const results = (events: SseEvent[]) => events.filter((e) => e.event === 'tool_result');
/** A turn that parks at an approval (recorded in `seen`) and is answered by the next message, as the AION client does. */
async function chatAnswering(token: string, message: string, answer: 'ja' | 'nein', seen: SseEvent[] = []) {
  const first = await chat(token, message);
  seen.push(...first.events.filter((e) => e.event === 'approval'));
  if (!seen.length) return first;
  assert.equal(first.events.at(-1)!.data.approval_pending, true);
  return chat(token, answer);
}

test('file_write then file_read through the agent; no approval asked for file tools', async () => {
  const w = await chat(admin.token, '/tool file_write {"path":"a.txt","content":"hi"}');
  assert.equal(w.events.some((e) => e.event === 'approval'), false);
  const wr = results(w.events)[0];
  assert.equal(wr.data.name, 'file_write');
  assert.equal(wr.data.ok, true, JSON.stringify(wr.data));
  assert.deepEqual(wr.data.result, { path: 'a.txt', bytesWritten: 2 });
  assert.equal(readFileSync(path.join(s.dataDir, 'workspaces', admin.user.id, 'a.txt'), 'utf8'), 'hi');

  const r = await chat(admin.token, '/tool file_read {"path":"a.txt"}');
  const rr = results(r.events)[0];
  assert.equal(rr.data.ok, true);
  assert.equal(rr.data.result.content, 'hi');
  assert.match(r.events.at(-1)!.data.full_response, /hi/);
});

test('list, scan, search and edit tools; large file text is cut in tool results', async () => {
  await s.api('POST', '/api/files/write', { token: admin.token, body: { filePath: 'src/main.py', content: 'print("hello")\nprint("hello again")\n' } });
  await s.api('POST', '/api/files/write', { token: admin.token, body: { filePath: 'huge.txt', content: 'z'.repeat(100_000) } });
  // Tool calls of one turn run concurrently: the edit goes in a second turn so the search sees the file before it.
  const r = await chat(
    admin.token,
    [
      '/tool file_list {"path":"src"}',
      '/tool code_search {"query":"hello again"}',
      '/tool file_read {"path":"huge.txt"}',
      '/tool scan_directory {"path":"src"}',
    ].join('\n'),
  );
  const edit = await chat(admin.token, '/tool edit_file {"path":"src/main.py","find":"hello again","replace":"bye"}');
  const byName = Object.fromEntries([...results(r.events), ...results(edit.events)].map((e) => [e.data.name, e.data]));
  assert.deepEqual(byName.file_list.result.files.map((f: any) => f.name), ['main.py']);
  assert.equal(byName.code_search.result.totalMatches, 1);
  assert.equal(byName.code_search.result.matches[0].file, 'src/main.py');
  assert.equal(byName.edit_file.ok, true, JSON.stringify(byName.edit_file));
  assert.equal(byName.edit_file.result.replacements, 1);
  assert.equal(byName.file_read.result.truncated, true);
  assert.ok(byName.file_read.result.content.length < 21_000);
  assert.match(byName.file_read.result.content, /\[truncated: 80000 more characters\]$/);
  assert.match(byName.scan_directory.result.tree, /main\.py/);
  const f = await s.api('POST', '/api/files/read', { token: admin.token, body: { path: 'src/main.py' } });
  assert.equal(f.body.content, 'print("hello")\nprint("bye")\n');
});

test('tools are confined too: escapes fail with the outside-workspace error', async () => {
  const r = await chat(admin.token, '/tool file_read {"path":"../../../../etc/passwd"}\n/tool file_write {"path":"/tmp/aion-pwned.txt","content":"x"}');
  const rs = results(r.events);
  assert.equal(rs.length, 2);
  for (const e of rs) {
    assert.equal(e.data.ok, false);
    assert.match(e.data.result.error, /outside the workspace/);
  }
  assert.doesNotMatch(JSON.stringify(r.events), /root:x:0/);
});

test('execute_code asks for approval; once approved it runs and the result holds 42', async () => {
  const seen: SseEvent[] = [];
  const r = await chatAnswering(admin.token, '/tool execute_code {"language":"python","code":"print(6*7)"}', 'ja', seen);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].data.name, 'execute_code');
  assert.deepEqual(seen[0].data.args, { language: 'python', code: 'print(6*7)' });
  const res = results(r.events)[0];
  assert.equal(res.data.ok, true, JSON.stringify(res.data));
  assert.equal(res.data.result.stdout, '42\n');
  assert.equal(res.data.result.exitCode, 0);
  assert.match(r.events.at(-1)!.data.full_response, /42/);
});

test('denied execution does not run', async () => {
  const r = await chatAnswering(admin.token, '/tool run_command {"command":"echo ran > ran.txt"}', 'nein');
  const res = results(r.events)[0];
  assert.equal(res.data.ok, false);
  assert.equal((await s.api('POST', '/api/files/read', { token: admin.token, body: { path: 'ran.txt' } })).status, 404);
});

test('exec_approval_off_users skips approval for a paying user only; run_command runs shell', async () => {
  const free = await s.signup();
  await s.api('POST', '/api/config/settings', { token: admin.token, body: { exec_approval_off_users: [admin.user.id, free.user.id] } });
  try {
    const r = await chat(admin.token, '/tool run_command {"command":"echo $((20+22))"}');
    assert.equal(r.events.some((e) => e.event === 'approval'), false);
    const res = results(r.events)[0];
    assert.equal(res.data.ok, true, JSON.stringify(res.data));
    assert.equal(res.data.result.stdout, '42\n');

    // Listed but on the free plan: still asked.
    const seen: SseEvent[] = [];
    const f = await chatAnswering(free.token, '/tool execute_code {"language":"js","code":"console.log(6*7)"}', 'ja', seen);
    assert.equal(seen.length, 1);
    assert.equal(results(f.events)[0].data.result.stdout, '42\n');

    // Upgraded to pro and listed: not asked.
    const up = await s.api('PATCH', `/api/admin/users/${free.user.id}`, { token: admin.token, body: { plan: 'pro' } });
    assert.equal(up.status, 200, up.text);
    const p = await chat(free.token, '/tool execute_code {"language":"js","code":"console.log(7*6)"}');
    assert.equal(p.events.some((e) => e.event === 'approval'), false);
    assert.equal(results(p.events)[0].data.result.stdout, '42\n');
  } finally {
    await s.api('POST', '/api/config/settings', { token: admin.token, body: { exec_approval_off_users: [] } });
  }
  // Off the list again: asked again.
  const seen: SseEvent[] = [];
  await chatAnswering(admin.token, '/tool run_command {"command":"true"}', 'nein', seen);
  assert.equal(seen.length, 1);
});
