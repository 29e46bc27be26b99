/**
 * `GET /api/conversations?search=` (the panel's conversation search): title and message text, case-insensitive,
 * only the caller's own conversations, rename and pin through PATCH show in the list.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { TestServer } from '../helpers/server.ts';
import { assertError, bootWithAdmin, type Account } from './helpers.ts';

let s: TestServer;
let alice: Account;
let bob: Account;
const as = (who: Account) => (method: string, path: string, body?: unknown) => s.api(method, path, { token: who.token, body });

before(async () => {
  ({ s } = await bootWithAdmin());
  alice = await s.signup();
  bob = await s.signup();
  const a = as(alice);
  const trip = await a('POST', '/api/conversations', { title: 'Trip to Lisbon' });
  await a('POST', `/api/conversations/${trip.body.id}/messages`, { role: 'user', content: 'Which museums open on Monday?' });
  const recipe = await a('POST', '/api/conversations', { title: 'Dinner' });
  await a('POST', `/api/conversations/${recipe.body.id}/messages`, { role: 'assistant', content: [{ type: 'text', text: 'Use SAFFRON sparingly.' }] });
  await a('POST', '/api/conversations', { title: 'Empty one' });
  await as(bob)('POST', '/api/conversations', { title: 'Bob saffron secrets' });
});
after(() => s?.dispose());

const titles = (r: { body: any }) => r.body.conversations.map((c: { title: string }) => c.title).sort();

it('matches titles and message text, case-insensitive', async () => {
  const a = as(alice);
  assert.deepEqual(titles(await a('GET', '/api/conversations?search=lisbon')), ['Trip to Lisbon']);
  assert.deepEqual(titles(await a('GET', '/api/conversations?search=MUSEUMS')), ['Trip to Lisbon']);
  assert.deepEqual(titles(await a('GET', '/api/conversations?search=saffron')), ['Dinner']);
  assert.deepEqual(titles(await a('GET', '/api/conversations?search=nothing-like-this')), []);
  assert.equal((await a('GET', '/api/conversations?search=')).body.conversations.length, 3, 'an empty term lists all');
});

it("never finds another user's conversations (attack: searching for their words)", async () => {
  const attempts = ['saffron', 'Bob', 'secrets', 'e'];
  let leaked = 0;
  for (const term of attempts) {
    const r = await as(alice)('GET', `/api/conversations?search=${encodeURIComponent(term)}`);
    assert.equal(r.status, 200);
    leaked += r.body.conversations.filter((c: { title: string }) => c.title.includes('Bob')).length;
  }
  assert.equal(leaked, 0);
  assert.deepEqual(titles(await as(bob)('GET', '/api/conversations?search=museums')), []);
});

it('limit and offset page the hits; a term over 200 characters is a 400', async () => {
  const a = as(alice);
  const all = (await a('GET', '/api/conversations?search=e')).body.conversations;
  assert.equal(all.length, 3);
  const second = await a('GET', '/api/conversations?search=e&limit=1&offset=1');
  assert.deepEqual(second.body.conversations.map((c: { id: string }) => c.id), [all[1].id]);
  assertError(await a('GET', `/api/conversations?search=${'x'.repeat(201)}`), 400, 'VALIDATION_ERROR');
});

it('rename and pin (PATCH) show in the list', async () => {
  const a = as(alice);
  const [first] = (await a('GET', '/api/conversations?search=dinner')).body.conversations;
  const r = await a('PATCH', `/api/conversations/${first.id}`, { title: 'Saffron risotto', isPinned: true });
  assert.equal(r.status, 200, r.text);
  const listed = (await a('GET', '/api/conversations')).body.conversations.find((c: { id: string }) => c.id === first.id);
  assert.equal(listed.title, 'Saffron risotto');
  assert.equal(listed.isPinned, true);
  assertError(await as(bob)('PATCH', `/api/conversations/${first.id}`, { title: 'hijacked' }), 404);
  assertError(await as(bob)('DELETE', `/api/conversations/${first.id}`), 404);
  assert.equal((await a('GET', `/api/conversations/${first.id}`)).body.conversation.title, 'Saffron risotto');
});

it('an AION chat session is titled by its first message, not a generic name', async () => {
  const carol = await s.signup();
  const chat = await s.api('POST', '/api/chat', { token: carol.token, body: { message: 'Plan my week with three gym days' } });
  assert.equal(chat.status, 200, chat.text);
  const [conversation] = (await s.api('GET', '/api/conversations', { token: carol.token })).body.conversations;
  assert.equal(conversation.title, 'Plan my week with three gym days');
  assert.equal(conversation.mode, 'aion');
});
