import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeOpenAI, type FakeProvider } from '../fakes/index.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let fake: FakeProvider;
let s: TestServer;
let admin: string;
before(async () => {
  fake = await startFakeOpenAI({ blocks: [{ type: 'text', text: 'unused' }] });
  s = await startServer({ env: fake.env });
  admin = (await s.signup()).token;
});
after(async () => {
  await s.dispose();
  await fake.close();
});

test('changing the embedder re-embeds every entry in the background (progress in /api/config) and search stays sane', async () => {
  const contents = ['sailing boats on the northern sea', 'baking sourdough bread at home', 'learning rust and typescript', 'planting tomatoes in spring'];
  for (const content of contents) assert.equal((await s.api('POST', '/api/memories', { token: admin, body: { content } })).status, 201);
  const before = await s.api('GET', '/api/memories?search=sourdough', { token: admin });
  assert.match(before.body.memories[0].embedder, /^local-/);

  const set = await s.api('POST', '/api/config/settings', { token: admin, body: { embedder: 'openai:text-embedding-3-small' } });
  assert.equal(set.status, 200);
  let stats: any;
  for (let i = 0; i < 50; i++) {
    stats = (await s.api('GET', '/api/config', { token: admin })).body.stats;
    if (stats.memory_reembed_running === 0 && stats.memory_reembed_done === stats.memory_reembed_total && stats.memory_reembed_total > 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(stats.memory_reembed_done, contents.length);
  const all = await s.api('GET', '/api/memories', { token: admin });
  assert.ok(all.body.memories.every((m: any) => m.embedder === 'openai:text-embedding-3-small' && m.dims === 1536));
  assert.ok(fake.requests.some((r) => r.path === '/v1/embeddings' && r.body.model === 'text-embedding-3-small'), 'the real SDK called the embeddings endpoint');
  const after = await s.api('GET', '/api/memories?search=bread%20sourdough', { token: admin });
  assert.equal(after.body.memories[0].content, 'baking sourdough bread at home');
  const added = await s.api('POST', '/api/memories', { token: admin, body: { content: 'a new memory about kayaks' } });
  assert.equal(added.body.memory.embedder, 'openai:text-embedding-3-small');
});
