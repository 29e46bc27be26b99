/**
 * `GET /api/conversations` on PostgreSQL: the counters and previews come from partition summaries that the writing
 * transactions keep (migration 003), so the list on instance B must show every write acknowledged by instance A at
 * once — create, rename, messages added and deleted, a conversation deleted — and concurrent writers on two
 * instances must add up (no lost count), with the summaries equal to what the rows say.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { startPair } from './cluster-pair.ts';

interface Listed {
  id: string;
  title: string;
  messageCount: number;
  preview: string;
}

test('the list on B shows each write acknowledged by A at once: create, rename, messages, deletes', async () => {
  const pair = await startPair();
  try {
    const { a, b } = pair;
    const u = await a.signup();
    let reads = 0;
    let stale = 0;
    const expectList = async (what: string, expected: Array<Pick<Listed, 'id' | 'title' | 'messageCount' | 'preview'>>) => {
      // Twice: the second read must not come from anything the first one left behind.
      for (let i = 0; i < 2; i++) {
        reads++;
        const r = await b.api('GET', '/api/conversations', { token: u.token });
        assert.equal(r.status, 200, r.text);
        const got = r.body.conversations.map((c: Listed) => ({ id: c.id, title: c.title, messageCount: c.messageCount, preview: c.preview }));
        if (JSON.stringify(got) !== JSON.stringify(expected)) stale++;
        assert.deepEqual(got, expected, `list on B after ${what}`);
      }
    };
    await expectList('nothing yet', []);
    assert.equal((await a.api('POST', '/api/conversations', { token: u.token, body: { id: 'c1', title: 'First' } })).status, 201);
    await expectList('create', [{ id: 'c1', title: 'First', messageCount: 0, preview: '' }]);
    assert.equal((await a.api('PATCH', '/api/conversations/c1', { token: u.token, body: { title: 'Renamed' } })).status, 200);
    await expectList('rename', [{ id: 'c1', title: 'Renamed', messageCount: 0, preview: '' }]);
    const ids: string[] = [];
    for (const content of ['hello there', 'general kenobi']) {
      const m = await a.api('POST', '/api/messages', { token: u.token, body: { conversationId: 'c1', role: 'user', content } });
      assert.equal(m.status, 201, m.text);
      ids.push(m.body.id);
      await expectList(`message "${content}"`, [{ id: 'c1', title: 'Renamed', messageCount: ids.length, preview: content }]);
    }
    // Deleting the last message: the summary is recounted, the preview goes back to the one before.
    assert.equal((await a.api('DELETE', `/api/messages/${ids[1]}`, { token: u.token })).status, 200);
    await expectList('deleting the last message', [{ id: 'c1', title: 'Renamed', messageCount: 1, preview: 'hello there' }]);
    assert.equal((await a.api('PATCH', `/api/messages/${ids[0]}`, { token: u.token, body: { content: 'hello, edited' } })).status, 200);
    await expectList('editing the last message', [{ id: 'c1', title: 'Renamed', messageCount: 1, preview: 'hello, edited' }]);
    assert.equal((await a.api('POST', '/api/conversations', { token: u.token, body: { id: 'c2', title: 'Second' } })).status, 201);
    assert.equal((await a.api('DELETE', '/api/conversations/c1', { token: u.token })).status, 200);
    await expectList('deleting a conversation', [{ id: 'c2', title: 'Second', messageCount: 0, preview: '' }]);
    // Made again under the same id: none of the old messages may count.
    assert.equal((await a.api('POST', '/api/conversations', { token: u.token, body: { id: 'c1', title: 'Again' } })).status, 201);
    const listed = (await b.api('GET', '/api/conversations', { token: u.token })).body.conversations as Listed[];
    assert.deepEqual(listed.find((c) => c.id === 'c1'), { ...listed.find((c) => c.id === 'c1'), title: 'Again', messageCount: 0, preview: '' });
    console.log(`list reads on B after acknowledged writes on A: ${reads}, stale: ${stale}`);
  } finally {
    await pair.close();
  }
});

test('messages written at once on two instances all count, and every summary equals its rows', async () => {
  const pair = await startPair();
  try {
    const { a, b } = pair;
    const u = await a.signup();
    assert.equal((await a.api('POST', '/api/conversations', { token: u.token, body: { id: 'busy' } })).status, 201);
    const write = (s: typeof a, i: number) => s.api('POST', '/api/messages', { token: u.token, body: { conversationId: 'busy', role: 'user', content: `m${i}` } });
    const written = await Promise.all(Array.from({ length: 40 }, (_, i) => write(i % 2 ? b : a, i)));
    assert.deepEqual(written.map((r) => r.status), written.map(() => 201));
    // A few deleted at once from both, too.
    const gone = await Promise.all(written.slice(0, 6).map((r, i) => (i % 2 ? a : b).api('DELETE', `/api/messages/${r.body.id}`, { token: u.token })));
    assert.deepEqual(gone.map((r) => r.status), gone.map(() => 200));
    const full = await a.api('GET', '/api/conversations/busy', { token: u.token });
    const messages = full.body.messages as Array<{ content: string }>;
    assert.equal(messages.length, 34);
    for (const s of [a, b]) {
      const [listed] = (await s.api('GET', '/api/conversations', { token: u.token })).body.conversations as Listed[];
      assert.equal(listed!.messageCount, 34);
      assert.equal(listed!.preview, messages.at(-1)!.content);
    }
    const sql = new pg.Client({ connectionString: pair.databaseUrl });
    await sql.connect();
    try {
      const { rows } = await sql.query(`
        SELECT v.part, v.item_count, v.last_seq, v.latest_updated_at,
               (SELECT count(*)::int FROM store_documents d WHERE d.collection = v.collection AND d.owner = v.owner AND d.part = v.part) AS n,
               (SELECT coalesce(max(seq), 0) FROM store_documents d WHERE d.collection = v.collection AND d.owner = v.owner AND d.part = v.part) AS seq,
               (SELECT max(updated_at) FROM store_documents d WHERE d.collection = v.collection AND d.owner = v.owner AND d.part = v.part) AS latest
        FROM store_partition_versions v`);
      assert.ok(rows.length > 0);
      for (const r of rows) assert.deepEqual([r.item_count, String(r.last_seq), r.latest_updated_at], [r.n, String(r.seq), r.latest], `summary of ${r.part}`);
    } finally {
      await sql.end();
    }
  } finally {
    await pair.close();
  }
});
