/**
 * Issue 13, item 3: `GET /api/history[?channel=]` and `GET /api/channels` as the original client's `loadHistory()` and
 * `loadChannels()` read them — and no user sees another's.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { clientChat } from './aion-client-stream.ts';

let s: TestServer;
let tg: FakeTelegram;
let admin: string;
before(async () => {
  tg = await startFakeTelegram();
  s = await startServer({ env: { ...tg.env, TELEGRAM_BOT_TOKEN: tg.token } });
  admin = (await s.signup()).token;
});
after(async () => {
  await s.dispose();
  await tg.close();
});

/** The user's channel list once `id` holds a whole turn (both messages), or as it stands after 10 s. */
async function channelsOnceSaved(token: string, id: string): Promise<any[]> {
  for (const until = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 25))) {
    const channels = (await s.api('GET', '/api/channels', { token })).body.channels;
    if (channels.find((c: any) => c.id === id)?.count >= 2 || Date.now() > until) return channels;
  }
}

const PIXEL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

test('history holds the current session as { role, content }; it survives a reload and a new session starts empty', async () => {
  assert.deepEqual((await s.api('GET', '/api/history', { token: admin })).body, { messages: [] });
  await clientChat(s.url, admin, { message: 'first question' });
  await clientChat(s.url, admin, { message: 'look at this', images: [PIXEL] });
  const h = (await s.api('GET', '/api/history', { token: admin })).body;
  assert.equal(h.messages.length, 4);
  assert.deepEqual(h.messages[0], { role: 'user', content: 'first question' });
  assert.deepEqual(h.messages[1], { role: 'assistant', content: 'first question' });
  const multimodal = h.messages[2];
  assert.equal(multimodal.role, 'user');
  assert.equal(multimodal.content.find((p: any) => p.type === 'text').text, 'look at this');
  assert.equal(multimodal.content.find((p: any) => p.type === 'image_url').image_url.url, PIXEL);
  assert.equal(typeof h.messages[3].content, 'string', 'assistant content is a string (the client skips anything else)');
  // An approval turn: the question and the tool-only parts leave no empty messages.
  const other = await s.signup();
  assert.deepEqual((await s.api('GET', '/api/history', { token: other.token })).body.messages, [], 'users never see each other');
  await s.api('POST', '/api/reset', { token: admin });
  assert.deepEqual((await s.api('GET', '/api/history', { token: admin })).body.messages, []);
  assert.equal((await s.api('GET', '/api/history')).status, 401);
});

test('channels: web always, with its count; a Telegram chat appears as telegram_<chatId> and its history is readable', async () => {
  const other = await s.signup();
  assert.deepEqual((await s.api('GET', '/api/channels', { token: other.token })).body, { channels: [{ id: 'web', label: 'Web', count: 0 }] });
  await clientChat(s.url, admin, { message: 'hello web' });
  await s.api('POST', '/api/telegram/config', { token: admin, body: { allowed_ids: ['4242'] } });
  tg.sendText(4242, 'hello from telegram');
  await tg.waitFor(() => tg.chatMessages(4242).some((m) => /hello from telegram/.test(m.text)));
  // The reply's text reaches the chat in streamed edits before its turn is saved: wait for the save, not the text.
  const ch = await channelsOnceSaved(admin, 'telegram_4242');
  assert.deepEqual(ch[0], { id: 'web', label: 'Web', count: 2 });
  const telegram = ch.find((c: any) => c.id === 'telegram_4242');
  assert.ok(telegram, JSON.stringify(ch));
  assert.equal(telegram.label, 'Telegram · 4242');
  assert.equal(telegram.count, 2);
  const h = (await s.api('GET', '/api/history?channel=telegram_4242', { token: admin })).body;
  assert.deepEqual(h.messages, [{ role: 'user', content: 'hello from telegram' }, { role: 'assistant', content: 'hello from telegram' }]);
  assert.deepEqual((await s.api('GET', '/api/channels', { token: other.token })).body.channels.map((c: any) => c.id), ['web'], 'not another user\'s chats');
  assert.deepEqual((await s.api('GET', '/api/history?channel=telegram_4242', { token: other.token })).body, { messages: [] });
  assert.deepEqual((await s.api('GET', '/api/history?channel=telegram_999', { token: admin })).body, { messages: [] });
});
