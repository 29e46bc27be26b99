/**
 * Issue 13, items 1 and 2: parked approvals and whole thoughts, read the way the original AION web client reads the
 * stream (`data:` lines, `ev.type`, `ev.content`, `ev.approval_pending`, `ev.text`).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { pluginsDir, TEST_TOOLS_MANIFEST, TEST_TOOLS_PLUGIN, writePlugin } from '../helpers/plugins.ts';
import { clientChat, eventually } from './aion-client-stream.ts';

let s: TestServer;
let admin: string;
const dir = pluginsDir();
before(async () => {
  writePlugin(dir, 'test-tools', TEST_TOOLS_PLUGIN, TEST_TOOLS_MANIFEST);
  s = await startServer({ env: { PLUGINS_DIRS: dir } });
  admin = (await s.signup()).token;
});
after(() => s.dispose());

const chat = (message: string, token = admin) => clientChat(s.url, token, { message });
const types = (frames: Array<{ type: string }>) => frames.map((f) => f.type);

test('a tool that needs approval: token with the question, approval {message,id,name,args}, done {approval_pending}; the stream ends', async () => {
  const r = await chat('/tool danger {"x":1}');
  assert.equal(r.status, 200);
  const t = types(r.frames);
  const shown = r.frames.filter((f) => f.type !== 'usage');
  assert.deepEqual(types(shown).slice(-3), ['token', 'approval', 'done']);
  const [token, approval, done] = shown.slice(-3);
  assert.equal(token.content, approval.message, 'the token carries the approval text');
  assert.match(approval.message, /danger/);
  assert.equal(approval.name, 'danger');
  assert.deepEqual(approval.args, { x: 1 });
  assert.ok(approval.id);
  assert.equal(done.approval_pending, true);
  assert.ok(!t.includes('tool_result'), 'the tool did not run');
  // The next message answers it: "JA" in any case runs it, and the turn continues in this new stream.
  const yes = await chat('JA');
  const result = yes.frames.find((f) => f.type === 'tool_result')!;
  assert.equal(result.tool, 'danger');
  assert.equal(result.call_id, approval.id);
  assert.equal(result.ok, true);
  assert.deepEqual(result.result, { done: true });
  const end = yes.frames.at(-1)!;
  assert.equal(end.type, 'done');
  assert.equal(end.approval_pending, false);
  assert.match(end.full_response, /"done":true/);
  // Answered once: a second "ja" is a plain new message.
  const again = await chat('ja');
  assert.ok(!again.frames.some((f) => f.type === 'tool_result'));
  assert.equal(again.frames.at(-1)!.full_response, 'ja');
});

test('"nein" refuses: the model is told and answers in the new stream', async () => {
  await chat('/tool danger {}');
  const no = await chat('Nein');
  const result = no.frames.find((f) => f.type === 'tool_result')!;
  assert.equal(result.ok, false);
  assert.match(result.result.error, /did not approve danger/);
  assert.equal(no.frames.at(-1)!.type, 'done');
  for (const word of ['yes', 'Ok', 'y', 'ja!']) {
    await chat('/tool danger {}');
    const r = await chat(word);
    assert.equal(r.frames.find((f) => f.type === 'tool_result')?.ok, true, word);
  }
  for (const word of ['no', 'N']) {
    await chat('/tool danger {}');
    assert.equal((await chat(word)).frames.find((f) => f.type === 'tool_result')?.ok, false, word);
  }
});

test('any other message refuses the parked call and is handled as a new message', async () => {
  await chat('/tool danger {}');
  const other = await chat('tell me something else');
  assert.ok(!other.frames.some((f) => f.type === 'tool_result'), 'the parked tool never runs');
  assert.equal(other.frames.at(-1)!.full_response, 'tell me something else');
  const later = await chat('ja');
  assert.ok(!later.frames.some((f) => f.type === 'tool_result'));
  assert.equal(later.frames.at(-1)!.full_response, 'ja');
});

test('calls of the same step that need no approval run at once; the approved one joins them', async () => {
  const first = await chat('/tool lookup {"q":"first"}\n/tool danger {}');
  const results = first.frames.filter((f) => f.type === 'tool_result');
  assert.equal(results.length, 1);
  assert.equal(results[0].tool, 'lookup');
  assert.ok(types(first.frames).indexOf('tool_result') < types(first.frames).indexOf('approval'));
  const yes = await chat('ok');
  const done = yes.frames.at(-1)!;
  assert.match(done.full_response, /"q":"first"/, 'the model sees the earlier result');
  assert.match(done.full_response, /"done":true/);
});

test('POST /api/chat/approve answers the same parked call; another user gets 404 and their "ja" is their own message', async () => {
  const other = await s.signup();
  const r = await chat('/tool danger {}');
  const id = r.frames.find((f) => f.type === 'approval')!.id;
  assert.equal((await s.api('POST', '/api/chat/approve', { token: other.token, body: { id, approved: true } })).status, 404);
  const theirs = await chat('ja', other.token);
  assert.ok(!theirs.frames.some((f) => f.type === 'tool_result'));
  const a = await s.api('POST', '/api/chat/approve', { token: admin, body: { id, approved: true } });
  assert.deepEqual(a.body, { ok: true });
  assert.equal((await s.api('POST', '/api/chat/approve', { token: admin, body: { id, approved: true } })).status, 404, 'answered once');
  const session = (await s.api('POST', '/api/reset', { token: admin })).body; // the old conversation is kept
  assert.ok(session.ok);
  const conversations = (await s.api('GET', '/api/conversations', { token: admin })).body.conversations;
  const found = await eventually(async () => {
    for (const c of conversations) {
      const msgs = (await s.api('GET', `/api/conversations/${c.id}`, { token: admin })).body.messages;
      const m = msgs.find((x: any) => Array.isArray(x.content) && x.content.some((b: any) => b.type === 'tool_result' && b.tool_use_id === id && !b.is_error));
      if (m) return m;
    }
    return undefined;
  });
  assert.ok(found, 'the continued turn was saved');
  assert.equal((await s.api('POST', '/api/chat/approve', { token: admin, body: { id: 'nope', approved: true } })).status, 404);
  assert.equal((await s.api('POST', '/api/chat/approve', { token: admin, body: { id: 'x' } })).status, 400);
});

test('a parked call expires after the approval timeout; "ja" is then a new message', async () => {
  await s.api('POST', '/api/config/settings', { token: admin, body: { approval_timeout_ms: 1000 } });
  try {
    const r = await chat('/tool danger {}');
    const id = r.frames.find((f) => f.type === 'approval')!.id;
    await new Promise((resolve) => setTimeout(resolve, 1300)); // past the 1 s approval timeout
    const late = await chat('ja');
    assert.ok(!late.frames.some((f) => f.type === 'tool_result'), 'the expired call never runs');
    assert.equal(late.frames.at(-1)!.full_response, 'ja');
    assert.equal((await s.api('POST', '/api/chat/approve', { token: admin, body: { id, approved: true } })).status, 404);
  } finally {
    await s.api('POST', '/api/config/settings', { token: admin, body: { approval_timeout_ms: 120_000 } });
  }
});

test('thinking: one `thought` per block with its whole text; live `thought_delta` frames before it', async () => {
  const r = await chat('/think first I weigh the options carefully');
  const thoughts = r.frames.filter((f) => f.type === 'thought');
  assert.equal(thoughts.length, 1, 'one accordion in the original client');
  assert.equal(thoughts[0].text, 'first I weigh the options carefully');
  const deltas = r.frames.filter((f) => f.type === 'thought_delta');
  assert.ok(deltas.length >= 2);
  assert.equal(deltas.map((d) => d.text).join(''), thoughts[0].text);
  const t = types(r.frames);
  assert.ok(t.lastIndexOf('thought_delta') < t.indexOf('thought'));
  assert.ok(t.indexOf('thought') < t.indexOf('token'));
});
