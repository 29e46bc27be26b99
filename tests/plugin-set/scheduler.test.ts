/**
 * The scheduler through the agent (echo `/tool` lines) and `/api/schedules`: a 2-second interval runs as a turn of its
 * owner in its own conversation and is pushed as a `proactive` event; times, days and intervals in German and English;
 * bad input is a 400; one user never sees or changes another's schedules; a restart does not repeat a claimed run.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { pluginSettings, pushStream, tool } from './helpers.ts';

let s: TestServer;
let admin: { token: string; user: any; email: string; password: string };
let bob: { token: string; user: any };

before(async () => {
  s = await startServer();
  admin = await s.signup();
  bob = await s.signup();
  await pluginSettings(s, admin.token, 'scheduler', { min_interval_seconds: 1, tick_ms: 250, timezone: 'Europe/Berlin' });
});
after(() => s.dispose());

test('a 2-second interval runs as an agent turn in its own conversation and is pushed as a proactive event', async () => {
  const push = await pushStream(s, admin.token);
  const bobPush = await pushStream(s, bob.token);
  try {
    const added = await tool(s, admin.token, 'schedule_add', { name: 'ping', task: 'scheduled hello', interval: '2s' });
    assert.equal(added.ok, true);
    assert.match(added.message, /every 2s/);
    const event = await push.waitFor((e) => e.type === 'proactive' && e.scheduleId === added.id);
    assert.equal(event.ok, true);
    assert.match(event.text, /ping/);
    assert.match(event.text, /scheduled hello/);
    assert.equal(event.conversationId, `schedule-${added.id}`);
    await tool(s, admin.token, 'schedule_toggle', { id: added.id, enabled: false });

    const conv = await s.api('GET', `/api/conversations/${event.conversationId}`, { token: admin.token });
    assert.equal(conv.status, 200, conv.text);
    const messages = conv.body.messages ?? conv.body.conversation?.messages;
    // Only the task's own turns are in it (not the chat that created it).
    assert.ok(messages.length >= 2);
    assert.ok(messages.every((m: any) => m.role !== 'user' || m.content === 'scheduled hello'), JSON.stringify(messages));
    assert.ok(messages.some((m: any) => m.role === 'assistant'));

    const list = await tool(s, admin.token, 'schedule_list');
    const mine = list.tasks.find((t: any) => t.id === added.id);
    assert.equal(mine.enabled, false);
    assert.ok(mine.runs >= 1);
    assert.ok(mine.last_run);
    assert.ok(['ok', 'running'].includes(mine.last_status));
    assert.equal(bobPush.events.some((e) => e.type === 'proactive'), false, 'another user got the push');
    assert.equal((await s.api('GET', `/api/conversations/${event.conversationId}`, { token: bob.token })).status, 404);
  } finally {
    push.close();
    bobPush.close();
  }
});

test('fixed times and days in German and English; intervals in words; bad input is a 400', async () => {
  const r = await s.api('POST', '/api/schedules', { token: admin.token, body: { name: 'brief', task: 'news', time: '08:00', days: 'werktags' } });
  assert.equal(r.status, 201, r.text);
  const next = new Date(r.body.schedule.next_run);
  const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', weekday: 'short', hour12: false }).format(next);
  assert.match(berlin, /^(Mon|Tue|Wed|Thu|Fri) 08:00$/);

  const weekend = await s.api('POST', '/api/schedules', { token: admin.token, body: { name: 'w', task: 't', time: '9:30', days: 'Saturday, Sonntag' } });
  assert.equal(weekend.status, 201, weekend.text);
  assert.match(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'short' }).format(new Date(weekend.body.schedule.next_run)), /Sat|Sun/);

  for (const [interval, shown] of [['alle 10 Minuten', '10m'], ['every 5 minutes', '5m'], ['2h30m', '2h 30m'], ['30s', '30s']]) {
    const x = await s.api('POST', '/api/schedules', { token: admin.token, body: { name: `i-${shown}`, task: 't', interval } });
    assert.equal(x.status, 201, x.text);
    assert.equal(x.body.schedule.interval, shown);
    await tool(s, admin.token, 'schedule_toggle', { id: x.body.id }); // toggled off: it must not run during the tests
  }
  const bad = [
    { name: 'x', task: 't' },
    { name: 'x', task: 't', time: '25:00' },
    { name: 'x', task: 't', time: '08:00', interval: '5m' },
    { name: 'x', task: 't', interval: 'sometimes' },
    { name: 'x', task: 't', time: '08:00', days: 'someday' },
    { name: '', task: 't', interval: '5m' },
  ];
  for (const body of bad) {
    const x = await s.api('POST', '/api/schedules', { token: admin.token, body });
    assert.equal(x.status, 400, `${JSON.stringify(body)} → ${x.status}`);
    assert.equal(x.body.code, body.name ? 'INVALID_SCHEDULE' : 'INVALID_SCHEDULE');
  }
  assert.equal((await s.api('POST', '/api/schedules', { token: admin.token, body: { name: 'x', task: 't', interval: '5m', extra: 1 } })).status, 400);
  assert.equal((await s.api('GET', '/api/schedules')).status, 401);
  // The admin's minimum interval holds.
  await pluginSettings(s, admin.token, 'scheduler', { min_interval_seconds: 60 });
  const short = await s.api('POST', '/api/schedules', { token: admin.token, body: { name: 'x', task: 't', interval: '30s' } });
  assert.equal(short.status, 400);
  await pluginSettings(s, admin.token, 'scheduler', { min_interval_seconds: 1 });

  const toolErr = await tool(s, admin.token, 'schedule_add', { name: 'x', task: 't', interval: 'nope' }, false);
  assert.equal(toolErr.ok, false);
  await s.api('DELETE', `/api/schedules/${r.body.id}`, { token: admin.token });
  await s.api('DELETE', `/api/schedules/${weekend.body.id}`, { token: admin.token });
});

test("one user's schedules are invisible and untouchable for another", async () => {
  const mine = await s.api('POST', '/api/schedules', { token: admin.token, body: { name: 'secret', task: 'private task', time: '07:00' } });
  const id = mine.body.id;
  const theirs = await s.api('GET', '/api/schedules', { token: bob.token });
  assert.equal(theirs.body.count, 0);
  assert.equal((await s.api('GET', `/api/schedules/${id}`, { token: bob.token })).status, 404);
  assert.equal((await s.api('PATCH', `/api/schedules/${id}`, { token: bob.token, body: { enabled: false } })).status, 404);
  assert.equal((await s.api('DELETE', `/api/schedules/${id}`, { token: bob.token })).status, 404);
  assert.equal((await s.api('POST', `/api/schedules/${id}/run`, { token: bob.token })).status, 404);
  assert.equal((await tool(s, bob.token, 'schedule_remove', { id })).removed, 0);
  assert.equal((await tool(s, bob.token, 'schedule_remove', { name: 'secret' })).removed, 0);
  assert.equal((await tool(s, bob.token, 'schedule_toggle', { id }, false)).ok, false);
  assert.equal((await tool(s, bob.token, 'schedule_list')).count, 0);
  const still = await s.api('GET', `/api/schedules/${id}`, { token: admin.token });
  assert.equal(still.body.enabled, true);

  const patched = await s.api('PATCH', `/api/schedules/${id}`, { token: admin.token, body: { time: '07:30', days: 'weekend' } });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.body.schedule.time, '07:30');
  assert.equal((await tool(s, admin.token, 'schedule_remove', { name: 'secret' })).removed, 1);
});

test('run now: a push event with the result', async () => {
  const push = await pushStream(s, admin.token);
  const created = await s.api('POST', '/api/schedules', { token: admin.token, body: { name: 'now', task: 'run me now', time: '03:00' } });
  const run = await s.api('POST', `/api/schedules/${created.body.id}/run`, { token: admin.token });
  assert.equal(run.status, 202, run.text);
  const event = await push.waitFor((e) => e.type === 'proactive' && e.scheduleId === created.body.id);
  assert.match(event.text, /run me now/);
  push.close();
  const done = (await s.api('GET', `/api/schedules/${created.body.id}`, { token: admin.token })).body;
  assert.equal(done.runs, 1);
  assert.equal(done.last_status, 'ok');
  assert.equal(done.last_result.includes('run me now'), true);
  assert.equal((await s.api('POST', '/api/schedules/nope/run', { token: admin.token })).status, 404);
});

test('a due time missed while down runs once after the restart, and never again after a second restart', async () => {
  const created = await s.api('POST', '/api/schedules', { token: admin.token, body: { name: 'hourly', task: 'catch up', interval: '1h' } });
  const id = created.body.id;
  await s.stop();
  // While the server is down the due time passes.
  const file = path.join(s.dataDir, 'store', 'schedules', `${admin.user.id}.json`);
  const data = JSON.parse(readFileSync(file, 'utf8'));
  const doc = data.items.find((d: any) => d.id === id);
  doc.nextRun = Date.now() - 1000;
  writeFileSync(file, JSON.stringify(data));

  s = await s.restart();
  const login = async () => (await s.api('POST', '/api/auth/login', { body: { email: admin.email, password: admin.password } })).body.token;
  admin = { ...admin, token: await login() };
  // The missed run may start before any push stream could open (its push is covered by the interval test), so the
  // stored run count is what is read here.
  let once = (await s.api('GET', `/api/schedules/${id}`, { token: admin.token })).body;
  for (let i = 0; i < 300 && once.runs < 1; i++) {
    await new Promise((r) => setTimeout(r, 100));
    once = (await s.api('GET', `/api/schedules/${id}`, { token: admin.token })).body;
  }
  assert.equal(once.runs, 1);
  assert.ok(Date.parse(once.next_run) > Date.now() + 50 * 60_000, once.next_run);

  s = await s.restart();
  admin = { ...admin, token: await login() };
  await tool(s, admin.token, 'schedule_list'); // one full turn later the ticker has looked at least once
  const again = (await s.api('GET', `/api/schedules/${id}`, { token: admin.token })).body;
  assert.equal(again.runs, 1);
  assert.equal(again.next_run, once.next_run);
});
