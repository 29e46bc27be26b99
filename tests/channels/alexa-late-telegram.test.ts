/** A late Alexa answer reaches the user through Telegram when a chat of theirs is whitelisted (else: the next turn). */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { intentRequest } from '../fakes/alexa-envelopes.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SKILL = 'amzn1.ask.skill.late-answers';
const CHAT = 444;
let tg: FakeTelegram;
let s: TestServer;

before(async () => {
  tg = await startFakeTelegram();
  s = await startServer({
    env: { ...tg.env, TELEGRAM_BOT_TOKEN: tg.token, ALEXA_VERIFY_SIGNATURE: 'false', ALEXA_SKILL_ID: SKILL, ECHO_DELAY_MS: '40', ALEXA_ANSWER_BUDGET_MS: '500' },
  });
  const admin = (await s.signup()).token;
  await s.api('POST', '/api/telegram/config', { token: admin, body: { allowed_ids: [String(CHAT)] } });
});

after(async () => {
  await s?.dispose();
  await tg?.close();
});

test('an answer slower than the budget is promised by voice and delivered to the admin\'s Telegram chat', async () => {
  const words = Array.from({ length: 60 }, (_, i) => `late${i}`).join(' ');
  const r = await s.api('POST', '/api/alexa', { body: intentRequest('AionCommandIntent', { command: words }, { skillId: SKILL, sessionId: 'amzn1.echo-api.session.late' }) });
  assert.equal(r.status, 200);
  assert.match(JSON.stringify(r.body.response.outputSpeech), /takes a little longer/);
  await tg.waitFor(() => tg.chatText(CHAT).includes('late59'), 15_000);
  assert.match(tg.chatText(CHAT), /Your answer from Alexa/);
  assert.ok(tg.chatText(CHAT).includes(words), 'the whole answer');
});
