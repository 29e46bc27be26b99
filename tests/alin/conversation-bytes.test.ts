/**
 * `GET /api/conversations/:id` is `JSON.stringify` of `{ success, conversation, messages }` byte for byte, however its
 * messages' JSON is assembled: from the texts new messages were written with, serialised afresh for the messages a
 * restart read back, or a mix of both after an edit and a new message. Values that JSON can spell more than one way are in it (integer-like keys, escapes,
 * non-ASCII, a lone surrogate, exponents, -0), so a text kept in another spelling, or joined wrongly, shows.
 */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import type { TestServer } from '../helpers/server.ts';
import { bootWithAdmin } from './helpers.ts';

let s: TestServer;
after(() => s?.dispose());

const awkward = {
  order: { b: 1, 10: 'ten', 2: 'two', a: [3, 1e21, -0, 0.1, 1.5e-7] },
  text: 'quote " backslash \\ newline \n tab \t nul \u0000 bell \u0007 é ü 🚀 \u2028 \ud800 end',
  nested: [[], {}, [{ 0: null }], true, false],
};

it('the conversation body is JSON.stringify of what it holds, before and after a restart and after an edit', async () => {
  const boot = await bootWithAdmin();
  s = boot.s;
  const token = boot.admin.token;
  const call = async (method: string, p: string, body?: unknown) => {
    const r = await s.api(method, p, { token, body });
    assert.ok(r.status < 300, `${method} ${p}: ${r.text}`);
    return r;
  };
  await call('POST', '/api/conversations', { id: 'bytes', title: 'Bytes', metadata: awkward });
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const content = i % 2 ? [{ type: 'text', text: `${i} ${awkward.text}` }] : `${i} ${awkward.text}`;
    ids.push((await call('POST', '/api/messages', { conversationId: 'bytes', role: i % 2 ? 'assistant' : 'user', content, metadata: { ...awkward.order, i } })).body.id);
  }
  const read = async () => (await call('GET', '/api/conversations/bytes')).text;
  const canonical = (text: string) => JSON.stringify(JSON.parse(text));

  const before = await read();
  assert.equal(before, canonical(before));
  const parsed = JSON.parse(before);
  assert.equal(parsed.messages.length, 5);
  assert.deepEqual(parsed.messages.map((m: { id: string }) => m.id), ids);
  assert.equal(parsed.messages[0].content, `0 ${awkward.text}`);
  assert.deepEqual(parsed.messages[1].metadata, JSON.parse(JSON.stringify({ ...awkward.order, i: 1 })));
  assert.equal(await read(), before, 'read again: the same bytes');

  s = await s.restart();
  const restarted = await read();
  assert.equal(restarted, before, 'after a restart (the messages read back from their log): the same bytes');

  await call('PATCH', `/api/messages/${ids[2]}`, { content: 'edited é', metadata: { 3: 'x', z: 'y' } });
  await call('DELETE', `/api/messages/${ids[3]}`);
  await call('POST', '/api/messages', { conversationId: 'bytes', role: 'user', content: `new ${awkward.text}` });
  const changed = await read();
  assert.equal(changed, canonical(changed));
  const messages = JSON.parse(changed).messages;
  assert.deepEqual(messages.map((m: { content: unknown }) => (typeof m.content === 'string' ? m.content.slice(0, 8) : 'blocks')), ['0 quote ', 'blocks', 'edited é', '4 quote ', 'new quot']);
  s = await s.restart();
  assert.equal(await read(), changed, 'the edited log read back: the same bytes');
});
