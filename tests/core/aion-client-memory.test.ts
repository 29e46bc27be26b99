/**
 * Issue 13, item 4: `GET /api/memory` in the original entry format, read as the client's `loadMemory()` /
 * `renderMemory()` read it, with the agent's `memory_store` filling `summary` and `category`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';
import { clientChat } from './aion-client-stream.ts';

let s: TestServer;
let admin: string;
before(async () => {
  s = await startServer();
  admin = (await s.signup()).token;
});
after(() => s.dispose());

const memory = (token: string, q = '') => s.api('GET', `/api/memory?limit=80&offset=0${q}`, { token });

test('the agent’s memory_store fills summary and category; entries come in the original format', async () => {
  const r = await clientChat(s.url, admin, {
    message: '/tool memory_store {"content":"The user prefers dark mode in every editor","category":"user_preference","summary":"Prefers dark mode","lesson":"Offer dark themes first"}\n/tool memory_store {"content":"Deploys happen on Fridays"}',
  });
  assert.ok(r.frames.filter((f) => f.type === 'tool_result').every((f) => f.ok), JSON.stringify(r.frames));
  const m = (await memory(admin)).body;
  assert.equal(m.total, 2);
  assert.equal(m.returned, 2);
  assert.equal(m.has_more, false);
  const dark = m.entries.find((e: any) => e.category === 'user_preference');
  assert.equal(dark.summary, 'Prefers dark mode');
  assert.equal(dark.lesson, 'Offer dark themes first');
  assert.equal(dark.success, true);
  assert.equal(typeof dark.id, 'string');
  assert.equal(new Date(dark.timestamp).toISOString(), dark.timestamp, 'ISO timestamp');
  assert.equal(dark.timestamp.replace('T', ' ').slice(0, 16).length, 16, 'what the client shows');
  const plain = m.entries.find((e: any) => e.category === 'general');
  assert.equal(plain.summary, 'Deploys happen on Fridays', 'summary filled from the content');
  assert.ok(!('error' in plain) && !('hint' in plain), 'error and hint only when present');
});

test('search is a substring over summary, lesson and category; total counts all, has_more the filtered list', async () => {
  for (let i = 0; i < 5; i++) {
    await s.api('POST', '/api/memories', { token: admin, body: { content: `note number ${i}`, metadata: { summary: `batch entry ${i}`, lesson: i === 3 ? 'ZEBRA lesson' : 'nothing' } } });
  }
  const all = (await memory(admin)).body;
  assert.equal(all.total, 7);
  const byLesson = (await memory(admin, '&search=zebra')).body;
  assert.deepEqual(byLesson.entries.map((e: any) => e.summary), ['batch entry 3']);
  assert.equal(byLesson.total, 7, 'total is the count before filtering');
  assert.equal((await memory(admin, '&search=USER_PREF')).body.entries[0].category, 'user_preference');
  const paged = (await s.api('GET', '/api/memory?limit=2&offset=0&search=batch%20entry', { token: admin })).body;
  assert.equal(paged.returned, 2);
  assert.equal(paged.has_more, true);
  const rest = (await s.api('GET', '/api/memory?limit=80&offset=4&search=batch%20entry', { token: admin })).body;
  assert.equal(rest.has_more, false);
  const other = await s.signup();
  assert.deepEqual((await memory(other.token, '&search=zebra')).body.entries, [], 'never another user’s memories');
  assert.equal((await s.api('GET', '/api/memory?limit=x', { token: admin })).status, 400);
});

test('search text is matched literally: regular-expression characters neither fail nor match everything', async () => {
  const { token } = await s.signup();
  await s.api('POST', '/api/memories', { token, body: { content: 'Build with C++ (v2.0) [fast] and $HOME\\bin' } });
  await s.api('POST', '/api/memories', { token, body: { content: 'An unrelated note about gardening' } });
  const found = async (q: string) => (await memory(token, `&search=${encodeURIComponent(q)}`)).body.entries.map((e: any) => e.summary);
  assert.deepEqual(await found('c++ (V2.0) [FAST]'), ['Build with C++ (v2.0) [fast] and $HOME\\bin']);
  assert.deepEqual(await found('$home\\BIN'), ['Build with C++ (v2.0) [fast] and $HOME\\bin']);
  const attacks = ['.*', '(a+)+$', '[', '\\', '^', '|'];
  for (const q of attacks) {
    const r = await memory(token, `&search=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, q);
    assert.ok(!r.body.entries.some((e: any) => e.summary.includes('gardening')), `${q} matched literally`);
  }
});

test('the substring pass reads the newest 1,000 page by page: matches across pages, newest first, nothing older', async () => {
  const { token } = await s.signup();
  // 1,050 memories; every 7th holds "quokka" in its content. Written in one batch of concurrent requests.
  const contents = Array.from({ length: 1050 }, (_, i) => (i % 7 === 0 ? `field note ${i} about a quokka` : `field note ${i} about the weather`));
  for (let i = 0; i < contents.length; i += 50) {
    await Promise.all(contents.slice(i, i + 50).map((content) => s.api('POST', '/api/memories', { token, body: { content } })));
  }
  // The window is the newest 1,000 memories: which ones those are, the listing says (newest first).
  const window: Array<{ id: string; content: string; timestamp: string }> = [];
  for (let offset = 0; offset < 1000; offset += 500) window.push(...(await s.api('GET', `/api/memory?limit=500&offset=${offset}`, { token })).body.entries);
  const expected = window.filter((e) => e.content.includes('quokka')).map((e) => e.id);
  assert.ok(expected.length >= 130, `quokkas in the window (${expected.length})`);
  const found = (await s.api('GET', '/api/memory?limit=500&offset=0&search=QUOKKA', { token })).body;
  assert.deepEqual(found.entries.slice(0, expected.length).map((e: any) => e.id), expected, 'every substring match of the window, across its pages, newest first');
  // Enough matches in the first page: the page is full and says there are more.
  const first = (await s.api('GET', '/api/memory?limit=3&offset=0&search=quokka', { token })).body;
  assert.deepEqual(first.entries.map((e: any) => e.id), expected.slice(0, 3));
  assert.equal(first.has_more, true);
});

test('the substring pass ignores case as the original did: KELVIN SIGN and LONG S match k and s, newest first', async () => {
  const { token } = await s.signup();
  // The older one ranks higher in the hybrid search (the word, four times, in a short note); the newer ones hold the
  // search only under case folding, so they come first only if the substring pass found them.
  await s.api('POST', '/api/memories', { token, body: { content: 'kelvin starlight kelvin starlight kelvin starlight kelvin starlight' } });
  await new Promise((r) => setTimeout(r, 5));
  await s.api('POST', '/api/memories', { token, body: { content: 'A long field note on many other things, with one \u017ftarlight mention among the rest of it' } });
  await new Promise((r) => setTimeout(r, 5));
  await s.api('POST', '/api/memories', { token, body: { content: 'Another long note on many other things, with one \u212aELVIN reading among the rest of it' } });
  const order = async (q: string) => (await memory(token, `&search=${encodeURIComponent(q)}`)).body.entries.map((e: any) => e.content.split(' ')[0]);
  assert.deepEqual((await order('STARLIGHT')).slice(0, 2), ['A', 'kelvin']);
  assert.deepEqual((await order('kelvin')).slice(0, 2), ['Another', 'kelvin']);
});
