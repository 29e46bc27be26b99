/**
 * Messages as an append-only log per conversation (issue #16 item 3): a message write appends one record instead of
 * rewriting the conversation's file; an older `.json` partition is read and converted; a torn last line (a crash in
 * the middle of an append, never acknowledged) is cut off; many edits compact the log; every state survives a restart.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startServer } from '../helpers/server.ts';

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

test('each message is one appended record; the log reads back the same after a restart', async () => {
  const s = await startServer();
  try {
    const { token, user } = await s.signup();
    const conv = (await s.api('POST', '/api/conversations', { token, body: { id: 'c1', title: 'log' } })).body.id;
    const log = path.join(s.dataDir, 'store', 'messages', user.id, `${conv}.jsonl`);
    for (let i = 0; i < 5; i++) {
      assert.equal((await s.api('POST', `/api/conversations/${conv}/messages`, { token, body: { id: `m${i}`, role: 'user', content: `message ${i}` } })).status, 201);
      const l = lines(log);
      assert.equal(l.length, i + 2, 'header + one record per message');
      assert.equal(JSON.parse(l.at(-1)!).put.id, `m${i}`, 'the new message is the last line');
    }
    const before = readFileSync(log, 'utf8');
    assert.equal((await s.api('POST', `/api/conversations/${conv}/messages`, { token, body: { id: 'm5', role: 'assistant', content: 'six' } })).status, 201);
    assert.ok(readFileSync(log, 'utf8').startsWith(before), 'earlier bytes are never rewritten by an append');
    const s2 = await s.restart();
    try {
      const r = await s2.api('GET', `/api/conversations/${conv}`, { token });
      assert.deepEqual(r.body.messages.map((m: any) => m.id), ['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    } finally {
      await s2.stop();
    }
  } finally {
    await s.dispose();
  }
});

test('an older .json partition is read as is and converted to a log by its first write', async () => {
  const s = await startServer();
  const { token, user } = await s.signup();
  const conv = (await s.api('POST', '/api/conversations', { token, body: { id: 'old', title: 'older format' } })).body.id;
  await s.stop();
  const dir = path.join(s.dataDir, 'store', 'messages', user.id);
  mkdirSync(dir, { recursive: true });
  const now = Date.now();
  const old = ['a', 'b'].map((id, i) => ({ id, conversationId: conv, role: 'user', content: `old ${id}`, metadata: {}, isEdited: false, timestamp: now + i, createdAt: now + i, updatedAt: now + i }));
  writeFileSync(path.join(dir, `${conv}.json`), JSON.stringify({ schemaVersion: 1, items: old }));
  const s2 = await s.restart();
  try {
    assert.deepEqual((await s2.api('GET', `/api/conversations/${conv}`, { token })).body.messages.map((m: any) => m.content), ['old a', 'old b']);
    assert.equal((await s2.api('POST', `/api/conversations/${conv}/messages`, { token, body: { id: 'c', role: 'user', content: 'new c' } })).status, 201);
    assert.equal(existsSync(path.join(dir, `${conv}.json`)), false, 'the older file is gone once the log holds everything');
    assert.equal(lines(path.join(dir, `${conv}.jsonl`)).length, 4);
    const s3 = await s2.restart();
    try {
      assert.deepEqual((await s3.api('GET', `/api/conversations/${conv}`, { token })).body.messages.map((m: any) => m.content), ['old a', 'old b', 'new c']);
    } finally {
      await s3.stop();
    }
  } finally {
    await s2.dispose();
  }
});

test('a torn last line is cut off when the log is read; the acknowledged messages are all there and new ones append cleanly', async () => {
  const s = await startServer();
  const { token, user } = await s.signup();
  const conv = (await s.api('POST', '/api/conversations', { token, body: { id: 'torn' } })).body.id;
  for (const id of ['x', 'y']) await s.api('POST', `/api/conversations/${conv}/messages`, { token, body: { id, role: 'user', content: id } });
  await s.stop();
  const log = path.join(s.dataDir, 'store', 'messages', user.id, `${conv}.jsonl`);
  appendFileSync(log, '{"put":{"id":"z","conversationId":"torn","role":"us');
  const s2 = await s.restart();
  try {
    assert.deepEqual((await s2.api('GET', `/api/conversations/${conv}`, { token })).body.messages.map((m: any) => m.id), ['x', 'y']);
    assert.match(s2.output, /torn last line/, 'the cut is logged (partitions load on first use)');
    assert.equal((await s2.api('POST', `/api/conversations/${conv}/messages`, { token, body: { id: 'z', role: 'user', content: 'z' } })).status, 201);
    for (const l of lines(log)) JSON.parse(l); // every line whole
    const s3 = await s2.restart();
    try {
      assert.deepEqual((await s3.api('GET', `/api/conversations/${conv}`, { token })).body.messages.map((m: any) => m.id), ['x', 'y', 'z']);
    } finally {
      await s3.stop();
    }
  } finally {
    await s2.dispose();
  }
});

test('many edits and deletes compact the log; the latest state survives a restart', async () => {
  const s = await startServer();
  try {
    const { token, user } = await s.signup();
    const conv = (await s.api('POST', '/api/conversations', { token, body: { id: 'edits' } })).body.id;
    for (const id of ['keep', 'gone']) await s.api('POST', `/api/conversations/${conv}/messages`, { token, body: { id, role: 'user', content: id } });
    for (let i = 0; i < 60; i++) assert.equal((await s.api('PATCH', `/api/messages/keep`, { token, body: { content: `edit ${i}` } })).status, 200);
    assert.equal((await s.api('DELETE', `/api/messages/gone`, { token })).status, 200);
    const log = path.join(s.dataDir, 'store', 'messages', user.id, `${conv}.jsonl`);
    assert.ok(lines(log).length <= 1 + 2 * 1 + 16 + 1, `the log was compacted (${lines(log).length} lines for 1 live message)`);
    const s2 = await s.restart();
    try {
      const msgs = (await s2.api('GET', `/api/conversations/${conv}`, { token })).body.messages;
      assert.deepEqual(msgs.map((m: any) => [m.id, m.content]), [['keep', 'edit 59']]);
    } finally {
      await s2.stop();
    }
  } finally {
    await s.dispose();
  }
});

test('a log whose creation was cut short (empty, or a torn header) is read as empty, and the next message rebuilds it whole', async () => {
  const s = await startServer();
  const { token, user } = await s.signup();
  for (const id of ['empty', 'half']) await s.api('POST', '/api/conversations', { token, body: { id } });
  // A fresh conversation's first message creates its log in place: header, then the record, nothing else beside it.
  assert.equal((await s.api('POST', '/api/conversations/empty/messages', { token, body: { id: 'e0', role: 'user', content: 'first' } })).status, 201);
  const dir = path.join(s.dataDir, 'store', 'messages', user.id);
  assert.deepEqual(lines(path.join(dir, 'empty.jsonl')).map((l) => Object.keys(JSON.parse(l))[0]), ['schemaVersion', 'put']);
  assert.deepEqual(readdirSync(dir).filter((f) => !f.endsWith('.jsonl')), [], 'no temp or older files left beside the log');
  await s.stop();
  // What a crash during the creating write can leave: an empty file, or a first line without its newline.
  writeFileSync(path.join(dir, 'empty.jsonl'), '');
  writeFileSync(path.join(dir, 'half.jsonl'), '{"schemaVer');
  const s2 = await s.restart();
  try {
    for (const id of ['empty', 'half']) {
      assert.deepEqual((await s2.api('GET', `/api/conversations/${id}`, { token })).body.messages, [], `${id}: nothing of it was acknowledged`);
      assert.equal((await s2.api('POST', `/api/conversations/${id}/messages`, { token, body: { id: `${id}-1`, role: 'user', content: 'again' } })).status, 201);
      const l = lines(path.join(dir, `${id}.jsonl`));
      assert.equal(JSON.parse(l[0]!).schemaVersion, 1, `${id}: the log starts with its header again`);
      assert.equal(l.length, 2);
    }
    const s3 = await s2.restart();
    try {
      for (const id of ['empty', 'half']) assert.deepEqual((await s3.api('GET', `/api/conversations/${id}`, { token })).body.messages.map((m: any) => m.id), [`${id}-1`]);
    } finally {
      await s3.stop();
    }
  } finally {
    await s2.dispose();
  }
});

test("a new user's first messages in many conversations at once: each creates its log (one folder made for all), all survive a kill", async () => {
  const s = await startServer();
  const { token, user } = await s.signup();
  const ids = Array.from({ length: 12 }, (_, i) => `burst${i}`);
  for (const id of ids) await s.api('POST', '/api/conversations', { token, body: { id } });
  const dir = path.join(s.dataDir, 'store', 'messages', user.id);
  assert.equal(existsSync(dir), false, 'no message folder before the first message');
  const posted = await Promise.all(ids.map((id) => s.api('POST', '/api/messages', { token, body: { conversationId: id, role: 'user', content: `first of ${id}` } })));
  assert.deepEqual(posted.map((r) => r.status), ids.map(() => 201));
  s.child.kill('SIGKILL'); // every 201 was durable before it was sent
  await new Promise((r) => s.child.once('exit', r));
  const s2 = await s.restart();
  try {
    for (const id of ids) {
      const r = await s2.api('GET', `/api/conversations/${id}`, { token });
      assert.deepEqual(r.body.messages.map((m: any) => m.content), [`first of ${id}`], id);
    }
    assert.deepEqual(readdirSync(dir).sort(), ids.map((id) => `${id}.jsonl`).sort());
  } finally {
    await s2.dispose();
  }
});

test('a log is read in one parse only when every line is one record: two records on one line, or a value split over two lines, are damage', async () => {
  const s = await startServer();
  const { token, user } = await s.signup();
  for (const id of ['joined', 'split', 'clean']) {
    await s.api('POST', '/api/conversations', { token, body: { id } });
    for (const m of ['a', 'b']) assert.equal((await s.api('POST', `/api/conversations/${id}/messages`, { token, body: { id: `${id}-${m}`, role: 'user', content: m } })).status, 201);
  }
  await s.stop();
  const dir = path.join(s.dataDir, 'store', 'messages', user.id);
  const put = (id: string) => `{"put":{"id":"${id}","conversationId":"x","role":"user","content":"injected"}}`;
  // Joined by commas, these lines still make a JSON array of records — one record too many, or a record merged from two
  // lines — which a whole-file parse alone would accept; the line-by-line reader must see the damage.
  appendFileSync(path.join(dir, 'joined.jsonl'), `${put('j1')},${put('j2')}\n`);
  const opened = '{"put":{"id":"s1","conversationId":"x","role":"user","content":"injected","metadata":{"k":[{"a":1}';
  appendFileSync(path.join(dir, 'split.jsonl'), `${opened}\n{"b":2}]}}}\n${put('s2')},${put('s3')}\n`);
  const s2 = await s.restart();
  try {
    for (const id of ['joined', 'split']) {
      const r = await s2.api('GET', `/api/conversations/${id}`, { token });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.messages.map((m: any) => m.id), [`${id}-a`, `${id}-b`], `${id}: only the well-formed records are kept`);
      assert.equal(readdirSync(dir).filter((f) => f.startsWith(`${id}.jsonl.corrupt-`)).length, 1, `${id}: the damaged log is moved aside`);
    }
    assert.deepEqual((await s2.api('GET', '/api/conversations/clean', { token })).body.messages.map((m: any) => m.id), ['clean-a', 'clean-b']);
    assert.equal(readdirSync(dir).filter((f) => f.startsWith('clean.jsonl.corrupt-')).length, 0);
  } finally {
    await s2.dispose();
  }
});
