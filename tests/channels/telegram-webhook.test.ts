/**
 * Telegram webhook mode (`TELEGRAM_WEBHOOK_URL` set): the bot registers the URL with a random secret token, and
 * `POST /api/telegram/webhook` accepts updates only with that secret in `X-Telegram-Bot-Api-Secret-Token`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let tg: FakeTelegram;
let s: TestServer;
let admin: { token: string };

before(async () => {
  tg = await startFakeTelegram();
  s = await startServer({ env: { ...tg.env, TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_WEBHOOK_URL: 'https://aion.example.test/api/telegram/webhook' } });
  admin = await s.signup();
  await s.api('POST', '/api/telegram/config', { token: admin.token, body: { allowed_ids: ['4242'] } });
});

after(async () => {
  await s?.dispose();
  await tg?.close();
});

test('the webhook is registered with a secret token instead of polling', async () => {
  assert.equal(tg.webhook?.url, 'https://aion.example.test/api/telegram/webhook');
  assert.match(tg.webhook?.secret_token ?? '', /^[A-Za-z0-9_-]{32,256}$/);
  assert.equal(tg.callsOf('getUpdates').length, 0);
  const cfg = await s.api('GET', '/api/telegram/config', { token: admin.token });
  assert.equal(cfg.body.mode, 'webhook');
  assert.equal(cfg.body.polling_active, false);
  assert.equal(cfg.body.status, 'running');
});

test('updates without the right secret are refused; with it, a whitelisted chat gets its answer', async () => {
  const update = tg.textUpdate(4242, 'hello over the webhook');
  const none = await s.api('POST', '/api/telegram/webhook', { body: update });
  assert.equal(none.status, 401);
  const wrong = await s.api('POST', '/api/telegram/webhook', { body: update, headers: { 'x-telegram-bot-api-secret-token': 'nope' } });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.code, 'INVALID_WEBHOOK_SECRET');
  assert.equal(tg.chatMessages(4242).length, 0);

  const secret = { 'x-telegram-bot-api-secret-token': tg.webhook!.secret_token! };
  const bad = await s.api('POST', '/api/telegram/webhook', { body: { hello: 1 }, headers: secret });
  assert.equal(bad.status, 400);
  const ok = await s.api('POST', '/api/telegram/webhook', { body: update, headers: secret });
  assert.equal(ok.status, 200);
  await tg.waitFor(() => tg.chatText(4242) === 'hello over the webhook');

  const stranger = await s.api('POST', '/api/telegram/webhook', { body: tg.textUpdate(777, 'hi'), headers: secret });
  assert.equal(stranger.status, 200);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(tg.chatMessages(777).length, 0);
});
