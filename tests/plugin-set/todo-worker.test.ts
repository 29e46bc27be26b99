/**
 * The heartbeat's todo worker (the original's): with a short interval, each user with open todos gets an agent turn
 * that works on them — in a conversation of that user, pushed as a `proactive` event to that user only; done todos
 * are not offered; users without open todos get nothing; the setting turns it off.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { pluginSettings, pushStream, signupPro, tool } from './helpers.ts';

let s: TestServer;
let admin: { token: string; user: any };
let bob: { token: string; user: any };
let carol: { token: string; user: any };

before(async () => {
  s = await startServer();
  admin = await s.signup();
  bob = await signupPro(s, admin.token);
  carol = await signupPro(s, admin.token);
});
after(() => s.dispose());

test('heartbeat_last shows the todo worker on by default, every 30 minutes', async () => {
  const last = await tool(s, bob.token, 'heartbeat_last');
  assert.equal(last.todo_worker, true);
  assert.equal(last.worker_running, false);
  const next = Date.parse(last.next_todo_check) - Date.now();
  assert.ok(next > 25 * 60_000 && next <= 30 * 60_000, `first check after one interval, got ${next} ms`);
});

test('open todos are worked on as a turn of their owner and pushed to that owner only', async () => {
  await tool(s, bob.token, 'todo_add', { task: 'buy oat milk' });
  const done = await tool(s, bob.token, 'todo_add', { task: 'water the plants' });
  await tool(s, bob.token, 'todo_done', { task: done.id });
  await tool(s, admin.token, 'todo_add', { task: 'admin secret errand' });
  await tool(s, admin.token, 'todo_done', { task: 'admin secret errand' }); // admin: nothing open
  const bobPush = await pushStream(s, bob.token);
  const carolPush = await pushStream(s, carol.token);
  const adminPush = await pushStream(s, admin.token);
  try {
    await pluginSettings(s, admin.token, 'heartbeat', { interval_seconds: 1, todo_interval_seconds: 2 });
    const event = await bobPush.waitFor((e) => e.type === 'proactive' && e.source === 'heartbeat');
    assert.equal(event.ok, true);
    assert.match(event.text, /buy oat milk/, 'the open todo was given to the turn');
    assert.doesNotMatch(event.text, /water the plants/, 'a done todo is not');
    assert.equal(event.todos_open, 1);

    const conv = (await s.api('GET', `/api/conversations/${event.conversationId}`, { token: bob.token })).body;
    const messages = conv.messages ?? conv.conversation?.messages;
    assert.ok(messages.some((m: any) => m.role === 'user' && /buy oat milk/.test(m.content)), JSON.stringify(messages));
    assert.ok(messages.some((m: any) => m.role === 'assistant'));
    assert.equal((await s.api('GET', `/api/conversations/${event.conversationId}`, { token: carol.token })).status, 404, 'another user cannot read it');

    // A second run reuses the same conversation.
    const second = await bobPush.waitFor((e) => e.type === 'proactive' && e.source === 'heartbeat' && e !== event);
    assert.equal(second.conversationId, event.conversationId);
    assert.equal(carolPush.events.some((e) => e.type === 'proactive'), false, 'carol has no todos');
    assert.equal(adminPush.events.some((e) => e.type === 'proactive' && e.source === 'heartbeat'), false, 'admin has no open todos');
    assert.equal([...adminPush.events, ...carolPush.events].some((e) => /buy oat milk/.test(JSON.stringify(e))), false, "bob's todos reach nobody else");
  } finally {
    bobPush.close();
    carolPush.close();
    adminPush.close();
  }
});

test('todo_worker false stops it', async () => {
  await pluginSettings(s, admin.token, 'heartbeat', { interval_seconds: 1, todo_interval_seconds: 1, todo_worker: false });
  await new Promise((r) => setTimeout(r, 500)); // a run started before the change may still report
  const push = await pushStream(s, bob.token);
  try {
    await push.waitFor((e) => e.type === 'heartbeat'); // the heartbeat itself goes on
    await push.waitFor((e) => e.type === 'heartbeat' && e !== push.events.find((x) => x.type === 'heartbeat'));
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(push.events.some((e) => e.type === 'proactive' && e.source === 'heartbeat'), false);
    const last = await tool(s, bob.token, 'heartbeat_last');
    assert.equal(last.todo_worker, false);
    assert.equal(last.next_todo_check, null);
  } finally {
    push.close();
    await pluginSettings(s, admin.token, 'heartbeat', { interval_seconds: 60, todo_worker: true, todo_interval_seconds: 1800 });
  }
});
