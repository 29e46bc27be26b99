/**
 * The joined reads of the PostgreSQL store (a conversation with its messages in one statement; a list with counters
 * computed by the database): the same answers as the file driver, and read-after-write across instances — a write
 * acknowledged by A is in the very next read on B (no retry, no wait).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { startServer, type TestServer } from '../helpers/server.ts';
import { eventually, startPair } from './cluster-pair.ts';

const TOOL_ONLY = [{ type: 'tool_use', id: 'call-1', name: 'lookup', input: { q: 'x' } }];

/** A conversation whose last message has no text (the preview is the one before), then a list and a read. */
async function scenario(write: TestServer, read: TestServer) {
  const u = await write.signup();
  const made = await write.api('POST', '/api/conversations', { token: u.token, body: { id: 'joined', title: 'Joined' } });
  assert.equal(made.status, 201, made.text);
  const first = await write.api('POST', '/api/messages', { token: u.token, body: { conversationId: 'joined', role: 'user', content: 'the question' } });
  assert.equal(first.status, 201, first.text);
  const seen: unknown[] = [];
  const listed = async () => (await read.api('GET', '/api/conversations', { token: u.token })).body.conversations.find((c: any) => c.id === 'joined');
  seen.push(await listed());
  const second = await write.api('POST', '/api/messages', { token: u.token, body: { conversationId: 'joined', role: 'assistant', content: TOOL_ONLY } });
  assert.equal(second.status, 201, second.text);
  seen.push(await listed());
  const edited = await write.api('PATCH', `/api/messages/${first.body.message?.id ?? first.body.id}`, { token: u.token, body: { content: 'the edited question' } });
  assert.equal(edited.status, 200, edited.text);
  seen.push(await listed());
  const one = await read.api('GET', '/api/conversations/joined', { token: u.token });
  assert.equal(one.status, 200, one.text);
  const missing = await read.api('GET', '/api/conversations/nope', { token: u.token });
  assert.equal(missing.status, 404, missing.text);
  return { seen: seen as any[], one: one.body };
}

const shape = (r: Awaited<ReturnType<typeof scenario>>) => ({
  seen: r.seen.map((c) => ({ messageCount: c.messageCount, preview: c.preview })),
  one: { messageCount: r.one.conversation.messageCount, preview: r.one.conversation.preview, contents: r.one.messages.map((m: any) => m.content) },
});

test('a write on A is in the next list and read on B; counters and previews equal the file driver', async () => {
  const pair = await startPair();
  const files = await startServer({ env: { DATABASE_URL: '' } });
  try {
    const onPg = await scenario(pair.a, pair.b);
    const onFiles = await scenario(files, files);
    assert.deepEqual(shape(onPg), {
      seen: [
        { messageCount: 1, preview: 'the question' },
        { messageCount: 2, preview: 'the question' }, // the tool-only answer has no text: the preview is the question
        { messageCount: 2, preview: 'the edited question' },
      ],
      one: { messageCount: 2, preview: 'the edited question', contents: ['the edited question', TOOL_ONLY] },
    });
    assert.deepEqual(shape(onPg), shape(onFiles));
    // The edit moved the conversation's updatedAt on both (the list's order key).
    assert.ok(onPg.seen[2].updatedAt >= onPg.seen[1].updatedAt);
    assert.ok(onPg.one.conversation.updatedAt >= onPg.seen[2].updatedAt);
  } finally {
    await files.stop();
    await pair.close();
  }
});

test('B keeps a conversation it read in memory, yet every read after a write acknowledged by A sees that write', async () => {
  const pair = await startPair();
  try {
    const { a, b } = pair;
    const u = await a.signup();
    const contents = async () => {
      const r = await b.api('GET', '/api/conversations/held', { token: u.token });
      return r.status === 200 ? r.body.messages.map((m: any) => m.content) : r.status;
    };
    assert.equal((await a.api('POST', '/api/conversations', { token: u.token, body: { id: 'held' } })).status, 201);
    const ids: string[] = [];
    const expected: unknown[] = [];
    let checks = 0;
    let stale = 0;
    const check = async (what: string) => {
      checks++;
      const got = await contents();
      // Read twice: the second read is answered from B's copy when nothing changed.
      const again = await contents();
      if (JSON.stringify(got) !== JSON.stringify(expected) || JSON.stringify(again) !== JSON.stringify(expected)) {
        stale++;
        assert.deepEqual(got, expected, `stale after ${what}`);
      }
    };
    await check('create');
    for (let i = 0; i < 5; i++) {
      const m = await a.api('POST', '/api/messages', { token: u.token, body: { conversationId: 'held', role: 'user', content: `m${i}` } });
      ids.push(m.body.id);
      expected.push(`m${i}`);
      await check(`message ${i}`);
    }
    assert.equal((await a.api('PATCH', `/api/messages/${ids[2]}`, { token: u.token, body: { content: 'edited' } })).status, 200);
    expected[2] = 'edited';
    await check('an edit');
    assert.equal((await a.api('DELETE', `/api/messages/${ids[0]}`, { token: u.token })).status, 200);
    expected.shift();
    await check('a deletion');
    // Dropped and made again under the same id: B's copy must not pass for the new conversation's messages.
    assert.equal((await a.api('DELETE', '/api/conversations/held', { token: u.token })).status, 200);
    assert.equal(await contents(), 404);
    assert.equal((await a.api('POST', '/api/conversations', { token: u.token, body: { id: 'held' } })).status, 201);
    expected.length = 0;
    await check('drop and re-create');
    // A writer outside AION (an operator's UPDATE by hand) announces nothing: it is seen once B's held read is older
    // than its 5 s bound (and its version check ships the changed rows).
    await a.api('POST', '/api/messages', { token: u.token, body: { conversationId: 'held', role: 'user', content: 'before' } });
    expected.push('before');
    await check('a message in the new conversation');
    const sql = new pg.Client({ connectionString: pair.databaseUrl });
    await sql.connect();
    await sql.query(`UPDATE store_documents SET doc = json_build_object('id', id, 'conversationId', part, 'role', 'user', 'content', 'by hand', 'createdAt', 1, 'updatedAt', 1, 'timestamp', 1, 'metadata', '{}'::json, 'isEdited', true) WHERE collection = 'messages' AND part = 'held'`);
    await sql.end();
    expected[0] = 'by hand';
    await eventually(async () => JSON.stringify(await contents()) === JSON.stringify(expected), 'the UPDATE by hand read on B');
    console.log(`cross-instance reads after acknowledged writes: ${checks * 2} reads, ${stale} stale`);
  } finally {
    await pair.close();
  }
});
