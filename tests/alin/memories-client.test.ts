/**
 * Memories as the original ALIN client writes and reads them: its camelCase create body, its snake_case reads in
 * `dbInit.ts` (and the camelCase arrays its store uses right after), and its partial PATCHes (pin, archive, edit).
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { TestServer } from '../helpers/server.ts';
import { assertError, bootWithAdmin, type Account } from './helpers.ts';

let s: TestServer;
let a: Account;
let b: Account;
before(async () => {
  ({ s, admin: a } = await bootWithAdmin());
  b = await s.signup();
});
after(() => s.dispose());
const as = (who: Account) => (method: string, path: string, body?: unknown) => s.api(method, path, { token: who.token, body });

/** The fields `dbInit.ts` reads from each row, with the type it expects. */
const SNAKE: Record<string, string> = {
  id: 'string', layer: 'string', content: 'string', salience: 'number', decay_rate: 'number', access_count: 'number',
  is_consolidated: 'boolean', is_archived: 'boolean', is_pinned: 'boolean', user_modified: 'boolean', tags: 'array',
  related_memories: 'array', edit_history: 'array', metadata: 'object', created_at: 'number', updated_at: 'number',
};
const CAMEL: Record<string, string> = {
  decayRate: 'number', accessCount: 'number', isConsolidated: 'boolean', isArchived: 'boolean', isPinned: 'boolean', userModified: 'boolean',
  relatedMemories: 'array', editHistory: 'array', createdAt: 'number', updatedAt: 'number', tags: 'array',
};
function assertShape(m: any): void {
  for (const [k, t] of Object.entries({ ...SNAKE, ...CAMEL })) {
    const actual = Array.isArray(m[k]) ? 'array' : m[k] === null ? 'null' : typeof m[k];
    assert.equal(actual, t, `${k} of ${JSON.stringify(m)}`);
  }
  assert.ok('last_accessed_at' in m && 'lastAccessedAt' in m);
  assert.equal(m.metadata._alin, undefined, 'the storage key never shows');
}
const list = async (who: Account, q = '') => (await as(who)('GET', `/api/memories${q}`)).body.memories as any[];

it("the client's create body is stored whole and reads back in both spellings", async () => {
  const body = {
    id: 'mem-1', layer: 'semantic', content: 'The user deploys on Fridays', salience: 0.7, decayRate: 0.01, accessCount: 3,
    isConsolidated: false, isArchived: false, isPinned: false, userModified: false, tags: ['ops'], relatedMemories: ['mem-0'],
    editHistory: [{ timestamp: 1, previousContent: 'x', newContent: 'y', reason: 'User edit' }], metadata: { source: 'chat' },
    lastAccessedAt: 1_700_000_000_000, createdAt: 1_600_000_000_000, updatedAt: 1_600_000_000_000,
  };
  const r = await as(a)('POST', '/api/memories', body);
  assert.equal(r.status, 201, r.text);
  const m = (await list(a)).find((x) => x.id === 'mem-1');
  assertShape(m);
  assert.deepEqual([m.decay_rate, m.access_count, m.related_memories, m.edit_history, m.last_accessed_at, m.created_at, m.metadata],
    [0.01, 3, ['mem-0'], body.editHistory, 1_700_000_000_000, 1_600_000_000_000, { source: 'chat' }]);
  assert.deepEqual([m.decayRate, m.relatedMemories, m.createdAt], [0.01, ['mem-0'], 1_600_000_000_000]);
  assert.deepEqual(r.body.memory.related_memories, ['mem-0']);
  assert.equal((await list(a, '?layer=semantic')).length, 1);
});

it('a memory written by another path (the agent tool, the self-model) still has every field and array', async () => {
  assert.equal((await as(a)('POST', '/api/memories', { content: 'minimal one' })).status, 201);
  assert.equal((await as(a)('POST', '/api/self-model/layer-memory', { layer: 'semantic', content: 'from the self-model' })).status < 300, true);
  const all = await list(a);
  assert.ok(all.length >= 3);
  for (const m of all) assertShape(m);
  const minimal = all.find((x) => x.content === 'minimal one');
  assert.deepEqual([minimal.related_memories, minimal.relatedMemories, minimal.edit_history, minimal.decay_rate, minimal.is_pinned], [[], [], [], 0.1, false]);
});

it('PATCH pins, archives, edits with history, keeps unknown keys; concurrent patches all apply', async () => {
  await as(a)('POST', '/api/memories', { id: 'mem-2', content: 'first text', layer: 'long_term' });
  const pin = await as(a)('PATCH', '/api/memories/mem-2', { isPinned: true });
  assert.equal(pin.status, 200, pin.text);
  assert.equal(pin.body.success, true);
  assert.equal(pin.body.memory.is_pinned, true);
  const edit = await as(a)('PATCH', '/api/memories/mem-2', { content: 'second text' });
  assert.equal(edit.body.memory.content, 'second text');
  assert.equal(edit.body.memory.user_modified, true);
  assert.equal(edit.body.memory.edit_history.length, 1);
  assert.deepEqual([edit.body.memory.edit_history[0].previousContent, edit.body.memory.edit_history[0].newContent], ['first text', 'second text']);
  assert.equal(edit.body.memory.is_pinned, true, 'an edit keeps the pin');
  await Promise.all([
    as(a)('PATCH', '/api/memories/mem-2', { isArchived: true }),
    as(a)('PATCH', '/api/memories/mem-2', { salience: 0.9 }),
    as(a)('PATCH', '/api/memories/mem-2', { isConsolidated: true, promotedTo: 'mem-9' }),
    as(a)('PATCH', '/api/memories/mem-2', { accessCount: 5, lastAccessedAt: 42 }),
  ]);
  const m = (await list(a)).find((x) => x.id === 'mem-2');
  assert.deepEqual([m.is_archived, m.salience, m.is_consolidated, m.promotedTo, m.access_count, m.last_accessed_at, m.is_pinned, m.content],
    [true, 0.9, true, 'mem-9', 5, 42, true, 'second text']);
  // Searching still finds the edited text, not the old one.
  assert.ok((await list(a, '?search=second')).some((x) => x.id === 'mem-2'));
  s = await s.restart();
  const again = (await list(a)).find((x) => x.id === 'mem-2');
  assert.deepEqual(again, m, 'the same after a restart');
});

it('PATCH: 400 on bad values, 404 unknown, 404 for another user (who changes nothing), 401 without a token', async () => {
  for (const body of [{ isPinned: 'yes' }, { content: '' }, { salience: 2 }, { layer: 'cosmic' }, { relatedMemories: 'x' }, { editHistory: {} }]) {
    assertError(await as(a)('PATCH', '/api/memories/mem-2', body), 400);
  }
  assertError(await as(a)('PATCH', '/api/memories/nope', { isPinned: true }), 404);
  assertError(await as(b)('PATCH', '/api/memories/mem-2', { content: 'pwned', isPinned: false }), 404);
  assertError(await s.api('PATCH', '/api/memories/mem-2', { body: { isPinned: false } }), 401);
  const m = (await list(a)).find((x) => x.id === 'mem-2');
  assert.deepEqual([m.content, m.is_pinned], ['second text', true]);
  assert.deepEqual(await list(b), []);
});
