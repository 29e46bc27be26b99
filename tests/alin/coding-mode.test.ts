/**
 * ALIN Coding mode as the original front-end drives it: `POST /api/coding/stream` with its body (`system:
 * "[DEPRECATED]"`, `additionalContext`, a Claude model) runs the agent loop with the workspace tools against a fake
 * Anthropic API and streams `tool_start` / `tool_result` / `text_delta` / `done`; the `/api/workspace/*` routes its
 * workspace panel calls. Attacks: the model reaching another workspace, upload paths, another user's tree.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startFakeAnthropic, type FakeProvider } from '../fakes/index.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { readSse } from '../helpers/sse.ts';
import { assertError, type Account } from './helpers.ts';

let fake: FakeProvider;
let s: TestServer;
let a: Account;
let b: Account;
/** What the fake model does on each call of the coding turn. */
let plan: (body: any, index: number) => any = () => ({ blocks: [{ type: 'text', text: 'ok' }] });

before(async () => {
  fake = await startFakeAnthropic((req, index) => plan(req.body, index));
  s = await startServer({ env: fake.env });
  await s.signup(); // the admin; a and b are on the free plan
  a = await s.signup();
  b = await s.signup();
});
after(async () => {
  await s.dispose();
  await fake.close();
});

const coding = (who: Account, messages: unknown[], extra: Record<string, unknown> = {}) =>
  readSse(`${s.url}/api/coding/stream`, {
    token: who.token,
    body: { messages, workspaceId: who.user.id, model: 'claude-sonnet-4-5-20250929', system: '[DEPRECATED]', mode: 'coding', additionalContext: 'Project: demo', ...extra },
  });

it('the agent loop runs the workspace tools and streams the coding dialect the client reads', async () => {
  const seen: any[] = [];
  plan = (body, index) => {
    seen.push(body);
    if (index === 0) return { blocks: [{ type: 'text', text: 'Writing it.' }, { type: 'tool_use', id: 'toolu_w1', name: 'file_write', input: { path: 'src/hello.js', content: "console.log('hi')\n" } }] };
    if (index === 1) return { blocks: [{ type: 'tool_use', id: 'toolu_r1', name: 'file_read', input: { path: `../${b.user.id}/secret.txt` } }] };
    return { blocks: [{ type: 'text', text: 'Done: src/hello.js written.' }], usage: { input: 30, output: 7 } };
  };
  const r = await coding(a, [{ role: 'user', content: [{ type: 'text', text: 'write hello.js' }] }]);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const types = r.events.map((e) => e.data.type);
  assert.equal(types[0], 'start');
  assert.equal(types.at(-1), 'done');
  const starts = r.events.filter((e) => e.data.type === 'tool_start').map((e) => e.data);
  const results = r.events.filter((e) => e.data.type === 'tool_result').map((e) => e.data);
  assert.deepEqual(starts.map((x) => [x.activityId, x.toolName, x.toolInput.path]), [['toolu_w1', 'file_write', 'src/hello.js'], ['toolu_r1', 'file_read', `../${b.user.id}/secret.txt`]]);
  assert.deepEqual(results.map((x) => [x.activityId, x.toolName, x.success, x.toolInput.path]), [['toolu_w1', 'file_write', true, 'src/hello.js'], ['toolu_r1', 'file_read', false, `../${b.user.id}/secret.txt`]]);
  assert.ok(results.every((x) => typeof x.result === 'string' && x.result.length <= 2000));
  assert.match(results[1].result, /PATH_OUTSIDE_WORKSPACE|outside/i);
  const text = r.events.filter((e) => e.data.type === 'text_delta').map((e) => e.data.text).join('');
  assert.match(text, /Writing it\.[\s\S]*Done: src\/hello\.js written\./);
  const done = r.events.at(-1)!.data;
  assert.deepEqual([done.stopReason, done.model, typeof done.inputTokens, typeof done.outputTokens], ['end_turn', 'claude-sonnet-4-5-20250929', 'number', 'number']);
  // The model saw only the workspace tools, the coding prompt with the client's context, and the tool results.
  const toolNames = seen[0].tools.map((t: any) => t.name).sort();
  assert.deepEqual(toolNames, ['code_search', 'edit_file', 'execute_code', 'file_list', 'file_read', 'file_write', 'run_command', 'scan_directory']);
  assert.match(JSON.stringify(seen[0].system), /Coding mode[\s\S]*Project: demo/);
  assert.ok(JSON.stringify(seen[1].messages).includes('toolu_w1'));
  // The file is in a's workspace, seen by the client's tree; b's workspace is untouched and empty.
  assert.equal((await s.api('POST', '/api/files/read', { token: a.token, body: { path: 'src/hello.js' } })).body.content, "console.log('hi')\n");
  const tree = (await s.api('GET', '/api/workspace/tree', { token: a.token })).body.files;
  assert.deepEqual(tree.map((n: any) => [n.name, n.type, n.path, n.children?.map((c: any) => [c.name, c.type, c.path, c.size])]), [['src', 'directory', 'src', [['hello.js', 'file', 'src/hello.js', 18]]]]);
  assert.deepEqual((await s.api('GET', '/api/workspace/tree', { token: b.token })).body.files, []);
  assert.equal(r.headers.get('x-ratelimit-remaining'), '9', 'one coding request is one message');
});

it('a workspaceId naming another user is ignored: the caller always works in their own workspace', async () => {
  // The fake counts requests across tests: decide by whether the tool result is already in the conversation.
  plan = (body) => !JSON.stringify(body.messages).includes('tool_result') ? { blocks: [{ type: 'tool_use', id: 'toolu_l1', name: 'file_list', input: {} }] } : { blocks: [{ type: 'text', text: 'listed' }] };
  const r = await coding(b, [{ role: 'user', content: 'list' }], { workspaceId: a.user.id });
  const result = r.events.find((e) => e.data.type === 'tool_result')!.data;
  assert.equal(result.success, true);
  assert.ok(!result.result.includes('hello.js') && !result.result.includes('src'), result.result);
});

it('refusals before the model starts are JSON and cost nothing; no token → 401', async () => {
  const before = Number((await s.api('GET', '/api/auth/me', { token: b.token })).body.user.usage.messagesThisHour);
  const bad = await coding(b, 'nope' as any);
  assert.equal(bad.status, 400);
  const unknown = await coding(b, [{ role: 'user', content: 'x' }], { model: 'no-such-model-xyz' });
  assert.equal(unknown.status, 400);
  assert.equal((await s.api('GET', '/api/auth/me', { token: b.token })).body.user.usage.messagesThisHour, before);
  assertError(await s.api('POST', '/api/coding/stream', { body: { messages: [{ role: 'user', content: 'x' }] } }), 401);
});

it('workspace routes: init, upload (text kept, binary skipped), download, delete; confined and per user', async () => {
  const init = await s.api('POST', '/api/workspace/init', { token: b.token });
  assert.deepEqual(init.body, { success: true, workspaceId: b.user.id });
  const form = new FormData();
  form.append('files', new Blob(['hello upload\n']), 'notes.txt');
  form.append('files', new Blob([new Uint8Array([0, 1, 2, 255])]), 'image.bin');
  form.append('files', new Blob(['sneaky']), '../../escape.txt');
  form.append('targetDir', 'uploads');
  const up = await fetch(`${s.url}/api/workspace/upload`, { method: 'POST', headers: { authorization: `Bearer ${b.token}` }, body: form });
  const upBody = await up.json();
  assert.equal(up.status, 200, JSON.stringify(upBody));
  assert.deepEqual(upBody.files.sort(), ['uploads/escape.txt', 'uploads/notes.txt'], 'a path in the file name is reduced to its base name');
  assert.deepEqual(upBody.skipped.map((x: any) => x.name), ['image.bin']);
  const escape = new FormData();
  escape.append('files', new Blob(['x']), 'x.txt');
  escape.append('targetDir', '../../etc');
  const refused = await fetch(`${s.url}/api/workspace/upload`, { method: 'POST', headers: { authorization: `Bearer ${b.token}` }, body: escape });
  assert.equal(refused.status, 400);
  assert.equal((await refused.json()).code, 'PATH_OUTSIDE_WORKSPACE');
  const file = await fetch(`${s.url}/api/workspace/file?path=uploads/notes.txt`, { headers: { authorization: `Bearer ${b.token}` } });
  assert.equal(file.status, 200);
  assert.match(file.headers.get('content-disposition') ?? '', /attachment; filename="notes.txt"/);
  assert.equal(await file.text(), 'hello upload\n');
  assertError(await s.api('GET', '/api/workspace/file?path=../../jwt-secret', { token: b.token }), 400, 'PATH_OUTSIDE_WORKSPACE');
  assertError(await s.api('GET', '/api/workspace/file?path=src/hello.js', { token: b.token }), 404, 'FILE_NOT_FOUND');
  assert.deepEqual((await s.api('DELETE', '/api/workspace', { token: b.token })).body, { success: true });
  assert.deepEqual((await s.api('GET', '/api/workspace/tree', { token: b.token })).body.files, []);
  assert.equal((await s.api('POST', '/api/files/read', { token: a.token, body: { path: 'src/hello.js' } })).status, 200, "a's workspace is untouched");
  for (const [m, p] of [['POST', '/api/workspace/init'], ['GET', '/api/workspace/tree'], ['GET', '/api/workspace/file?path=x'], ['POST', '/api/workspace/upload'], ['DELETE', '/api/workspace']]) {
    assertError(await s.api(m, p), 401);
  }
});
