/**
 * todo-tools, focus-manager, reflection, mood-engine and character-manager through the agent and their routes: each
 * user's data stays theirs; focus, reflections, mood and personal character notes reach the system prompt of that
 * user's turns only (seen by a stand-in OpenAI server); mood is in `/api/status`; reflections are pushed as `thought`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeOpenAI } from '../fakes/index.ts';
import type { FakeProvider } from '../fakes/server.ts';
import { readSse, startServer, type TestServer } from '../helpers/server.ts';
import { chat, pushStream, signupPro, tool } from './helpers.ts';

let s: TestServer;
let fake: FakeProvider;
let admin: { token: string; user: any };
let alice: { token: string; user: any };
let bob: { token: string; user: any };

before(async () => {
  fake = await startFakeOpenAI({ blocks: [{ type: 'text', text: 'ok' }] });
  s = await startServer({ env: fake.env });
  admin = await s.signup();
  alice = await signupPro(s, admin.token);
  bob = await signupPro(s, admin.token);
});
after(async () => {
  await s.dispose();
  await fake.close();
});

/** The system prompt the model received for one turn of `token`. */
async function systemPromptFor(token: string, message = 'hello there'): Promise<string> {
  const r = await readSse(`${s.url}/api/chat`, { token, body: { message, model: 'gpt-4o' } });
  assert.equal(r.status, 200);
  const body = fake.lastRequest!.body;
  const system = body.messages.find((m: any) => m.role === 'system' || m.role === 'developer');
  return typeof system?.content === 'string' ? system.content : JSON.stringify(system?.content ?? '');
}

test('todos: add, list, done, remove per user; another user sees none and cannot touch them', async () => {
  const a = await tool(s, alice.token, 'todo_add', { task: 'buy milk' });
  await tool(s, alice.token, 'todo_add', { task: '- [ ] call mum' });
  const list = await tool(s, alice.token, 'todo_list');
  assert.deepEqual(list.open.map((t: any) => t.task), ['buy milk', 'call mum']);
  assert.equal((await tool(s, alice.token, 'todo_done', { task: 'Buy Milk' })).done, 'buy milk');
  const after = await tool(s, alice.token, 'todo_list');
  assert.deepEqual(after.done.map((t: any) => t.task), ['buy milk']);

  assert.equal((await tool(s, bob.token, 'todo_list')).count, 0);
  assert.equal((await tool(s, bob.token, 'todo_done', { task: 'call mum' }, false)).ok, false);
  assert.equal((await tool(s, bob.token, 'todo_remove', { task: a.id }, false)).ok, false);
  assert.equal((await s.api('DELETE', `/api/todos/${a.id}`, { token: bob.token })).status, 404);
  assert.equal((await s.api('PATCH', `/api/todos/${a.id}`, { token: bob.token, body: { done: false } })).status, 404);
  assert.equal((await s.api('GET', '/api/todos', { token: bob.token })).body.count, 0);

  const created = await s.api('POST', '/api/todos', { token: alice.token, body: { task: 'via http' } });
  assert.equal(created.status, 201);
  assert.equal((await s.api('POST', '/api/todos', { token: alice.token, body: { task: '   ' } })).status, 400);
  assert.equal((await s.api('PATCH', `/api/todos/${a.id}`, { token: alice.token, body: { done: false } })).status, 200);
  assert.equal((await tool(s, alice.token, 'todo_remove', { task: 'call mum' })).removed, 'call mum');
  assert.equal((await s.api('GET', '/api/todos', { token: alice.token })).body.open.length, 2);
  assert.equal((await s.api('GET', '/api/todos')).status, 401);
});

test("focus: set, get, clear; injected into that user's turns only", async () => {
  await tool(s, alice.token, 'focus_set', { task: 'Finish the quarterly report' });
  assert.equal((await tool(s, alice.token, 'focus_get')).current_focus, 'Finish the quarterly report');
  assert.equal((await tool(s, bob.token, 'focus_get')).current_focus, null);
  assert.match(await systemPromptFor(alice.token), /Current focus[\s\S]*Finish the quarterly report/);
  assert.doesNotMatch(await systemPromptFor(bob.token), /quarterly report/);
  await tool(s, alice.token, 'focus_clear');
  assert.doesNotMatch(await systemPromptFor(alice.token), /quarterly report/);
  const put = await s.api('PUT', '/api/focus', { token: bob.token, body: { task: 'Learn Rust' } });
  assert.equal(put.status, 200);
  assert.equal((await s.api('GET', '/api/focus', { token: bob.token })).body.current_focus, 'Learn Rust');
  assert.equal((await s.api('GET', '/api/focus', { token: alice.token })).body.current_focus, null);
});

test('reflection: saved, near-duplicates skipped, pushed as thought, the latest in the next turn, per user', async () => {
  const push = await pushStream(s, alice.token);
  const bobPush = await pushStream(s, bob.token);
  try {
    const turn = await chat(s, alice.token, '/tool reflect {"thought":"I enjoy untangling the report numbers with Alice","trigger":"insight"}');
    const first = turn.events.find((e) => e.event === 'tool_result')!.data.result;
    assert.equal(first.saved, true);
    // Shown in the chat as the original did: a `thought` event of that tool call.
    const shown = turn.events.find((e) => e.event === 'thought' && e.data.trigger === 'insight');
    assert.ok(shown, 'a thought event in the chat stream');
    assert.equal(shown.data.text, 'I enjoy untangling the report numbers with Alice');
    assert.equal(shown.data.call_id, turn.events.find((e) => e.event === 'tool_result')!.data.call_id);
    const dup = await tool(s, alice.token, 'reflect', { thought: 'I enjoy untangling the report numbers with Alice!' });
    assert.equal(dup.skipped, 'near_duplicate');
    const event = await push.waitFor((e) => e.type === 'thought');
    assert.equal(event.text, 'I enjoy untangling the report numbers with Alice');
    assert.equal(event.trigger, 'insight');
    assert.match(await systemPromptFor(alice.token), /recent reflections[\s\S]*untangling the report numbers/);
    assert.doesNotMatch(await systemPromptFor(bob.token), /untangling/);
    assert.equal(bobPush.events.some((e) => e.type === 'thought'), false);
    const list = await s.api('GET', '/api/thoughts', { token: alice.token });
    assert.equal(list.body.count, 1);
    assert.equal((await s.api('GET', '/api/thoughts', { token: bob.token })).body.count, 0);
    assert.equal((await tool(s, alice.token, 'reflect', { thought: '  ' }, false)).ok, false);
  } finally {
    push.close();
    bobPush.close();
  }
});

test('mood: check and set per user; shown in /api/status and the turn', async () => {
  const checked = await tool(s, alice.token, 'mood_check');
  assert.ok(['curious', 'focused', 'playful', 'calm', 'reflective'].includes(checked.mood));
  assert.ok(checked.signals.time);
  const set = await tool(s, alice.token, 'mood_set', { mood: 'Playful' });
  assert.equal(set.mood, 'playful');
  const bad = await tool(s, alice.token, 'mood_set', { mood: 'grumpy' });
  assert.equal(bad.ok, false);
  const status = await s.api('GET', '/api/status', { token: alice.token });
  assert.equal(status.body.mood, 'playful');
  assert.match(status.body.mood_hint, /light/);
  assert.match(await systemPromptFor(alice.token, 'a long message without any special signal in it at all'), /current mood is playful/);
  const bobStatus = await s.api('GET', '/api/status', { token: bob.token });
  assert.ok(bobStatus.body.mood);
  // The admin's manual mood for Alice did not leak: Bob's comes from the signals (it is computed, not "manual").
  assert.equal((await tool(s, bob.token, 'mood_check')).source, 'auto');
  assert.equal((await s.api('GET', '/api/status')).body.mood, 'calm', 'without a token only the neutral default, never a user\'s mood');
});

test("update_character: the admin writes the character prompt; a user's sections stay in their own turns", async () => {
  const shared = await tool(s, admin.token, 'update_character', { section: 'Humor', content: 'Dry, understated.', reason: 'observed' });
  assert.equal(shared.scope, 'shared');
  const prompt = await s.api('GET', '/api/prompt/character', { token: admin.token });
  assert.match(prompt.body.content, /## Humor\nDry, understated\./);
  await tool(s, admin.token, 'update_character', { section: 'humor', content: 'Warm.' });
  const again = (await s.api('GET', '/api/prompt/character', { token: admin.token })).body.content;
  assert.equal(again.match(/## Humor/g).length, 1);
  assert.match(again, /## Humor\nWarm\./);

  const personal = await tool(s, alice.token, 'update_character', { section: 'User', content: 'Alice likes short answers.' });
  assert.equal(personal.scope, 'personal');
  assert.doesNotMatch((await s.api('GET', '/api/prompt/character', { token: admin.token })).body.content, /Alice likes/);
  assert.match(await systemPromptFor(alice.token), /Alice likes short answers/);
  assert.doesNotMatch(await systemPromptFor(bob.token), /Alice likes/);
  assert.equal((await s.api('GET', '/api/character', { token: alice.token })).body.shared, undefined);
  assert.equal((await tool(s, alice.token, 'update_character', { section: '', content: 'x' }, false)).ok, false);
});
