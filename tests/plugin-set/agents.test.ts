/**
 * multi-agent (parallel sub-agents with a tool subset and a step budget, sessions per user, no recursion), proactive
 * (a memory that passes the threshold is pushed before the turn, once) and heartbeat (a periodic self-check pushed to
 * the users it concerns), through the agent with the echo provider.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { chat, pluginSettings, pushStream, signupPro, tool } from './helpers.ts';

let s: TestServer;
let admin: { token: string; user: any };
let alice: { token: string; user: any };
let bob: { token: string; user: any };

before(async () => {
  s = await startServer();
  admin = await s.signup();
  alice = await signupPro(s, admin.token);
  bob = await signupPro(s, admin.token);
});
after(() => s.dispose());

test('delegate_to_agent: parallel sub-agents limited to their tool subset and step budget', async () => {
  await tool(s, alice.token, 'todo_add', { task: 'water the plants' });
  const out = await tool(s, alice.token, 'delegate_to_agent', {
    tasks: [
      { task: '/tool todo_list {}' },
      { task: '/tool todo_add {"task":"sneaky"}' },
      { task: '/tool delegate_to_agent {"task":"recurse"}' },
    ],
    tools: ['todo_list', 'delegate_to_agent'],
  });
  assert.equal(out.results.length, 3);
  const [list, add, recurse] = out.results;
  assert.equal(list.ok, true, JSON.stringify(list));
  assert.match(list.result, /water the plants/);
  assert.deepEqual(list.tool_calls, [{ name: 'todo_list', ok: true }]);
  assert.match(add.result, /Unknown tool: todo_add/);
  assert.match(recurse.result, /Unknown tool: delegate_to_agent/);
  const todos = await tool(s, alice.token, 'todo_list');
  assert.deepEqual(todos.open.map((t: any) => t.task), ['water the plants'], 'a tool outside the subset ran');

  // A step budget of one: the tool runs, no second model call; the tool result is the answer.
  const one = await tool(s, alice.token, 'delegate_to_agent', { task: '/tool todo_list {}', tools: ['todo_list'], max_steps: 1, agent_id: 'lister' });
  assert.equal(one.agent_id, 'lister');
  assert.match(one.result, /^todo_list: .*water the plants/);
});

test('sessions_list, sessions_send and sessions_history are per user', async () => {
  const sent = await tool(s, alice.token, 'sessions_send', { agent_id: 'lister', message: 'hello again, sub-agent' });
  assert.equal(sent.ok, true);
  assert.match(sent.result, /hello again, sub-agent/);
  const list = await tool(s, alice.token, 'sessions_list');
  assert.ok(list.agents.some((a: any) => a.agent_id === 'lister' && a.turns === 2));
  const history = await tool(s, alice.token, 'sessions_history', { agent_id: 'lister' });
  assert.ok(history.messages.some((m: any) => m.role === 'user' && m.content.includes('hello again')));

  assert.equal((await tool(s, bob.token, 'sessions_list')).count, 0);
  assert.match((await tool(s, bob.token, 'sessions_history', { agent_id: 'lister' }, false)).result.error, /No sub-agent/);
  assert.match((await tool(s, bob.token, 'sessions_send', { agent_id: 'lister', message: 'hi' }, false)).result.error, /No sub-agent/);
  // Bob can name a sub-agent "lister" too: it is his own, with none of Alice's history.
  const bobs = await tool(s, bob.token, 'delegate_to_agent', { task: 'just bob', agent_id: 'lister' });
  assert.equal(bobs.ok, true);
  const bobHistory = await tool(s, bob.token, 'sessions_history', { agent_id: 'lister' });
  assert.ok(bobHistory.messages.every((m: any) => !m.content.includes('hello again')));
});

test('proactive: a memory that passes the threshold is pushed before the turn, once; proactive_check and clear', async () => {
  const stored = await s.api('POST', '/api/memories', { token: alice.token, body: { content: 'Alice is planning a birthday party for her sister in Lisbon', layer: 'long_term' } });
  assert.ok(stored.status === 200 || stored.status === 201, stored.text);
  await s.api('POST', '/api/memories', { token: bob.token, body: { content: 'Bob is planning a birthday party in Lisbon too', layer: 'long_term' } });
  const push = await pushStream(s, alice.token);
  try {
    await chat(s, alice.token, 'what about the birthday party in Lisbon?');
    const event = await push.waitFor((e) => e.type === 'proactive' && e.source === 'proactive');
    assert.match(event.text, /birthday party for her sister/);
    assert.doesNotMatch(JSON.stringify(push.events), /Bob is planning/);
    await chat(s, alice.token, 'the birthday party in Lisbon again');
    assert.equal(push.events.filter((e) => e.source === 'proactive').length, 1, 'surfaced twice within the cooldown');
    await chat(s, alice.token, 'something about the weather in general');
    assert.equal(push.events.filter((e) => e.source === 'proactive').length, 1, 'an unrelated message surfaced a memory');
  } finally {
    push.close();
  }
  const cleared = await tool(s, alice.token, 'proactive_clear');
  assert.equal(cleared.cleared, 1);
  const check = await tool(s, bob.token, 'proactive_check', { query: 'birthday party Lisbon' });
  assert.equal(check.suggestions_pushed, 1);
  assert.match(check.suggestions[0].text, /^Bob is planning/);
});

test('heartbeat: a periodic self-check pushed to users with open todos; heartbeat_last', async () => {
  const push = await pushStream(s, alice.token);
  const bobPush = await pushStream(s, bob.token);
  try {
    await pluginSettings(s, admin.token, 'heartbeat', { interval_seconds: 1 });
    const beat = await push.waitFor((e) => e.type === 'heartbeat');
    assert.equal(beat.todos_open, 1);
    const last = await tool(s, alice.token, 'heartbeat_last');
    assert.ok(last.beats >= 1);
    assert.ok(Date.parse(last.last_heartbeat) > 0);
    assert.equal(last.todos_open, 1);
    assert.equal(last.plugins_error, undefined, 'plugin failures are for admins');
    assert.ok(Array.isArray((await tool(s, admin.token, 'heartbeat_last')).plugins_error));
    assert.equal(bobPush.events.some((e) => e.type === 'heartbeat'), false, 'bob has no todos');
  } finally {
    push.close();
    bobPush.close();
    await pluginSettings(s, admin.token, 'heartbeat', { interval_seconds: 60 });
  }
});
