/** Spoken replies in Telegram: with `tts_engine: elevenlabs`, the reply's audio is uploaded to the chat. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFakeElevenLabs, type FakeElevenLabs } from '../fakes/elevenlabs-tts.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let tg: FakeTelegram;
let el: FakeElevenLabs;
let s: TestServer;
let admin: string;
const CHAT = 333;

before(async () => {
  tg = await startFakeTelegram();
  el = await startFakeElevenLabs();
  s = await startServer({ env: { ...tg.env, ...el.env, TELEGRAM_BOT_TOKEN: tg.token } });
  admin = (await s.signup()).token;
  await s.api('POST', '/api/telegram/config', { token: admin, body: { allowed_ids: [String(CHAT)] } });
  await s.api('POST', '/api/config/settings', { token: admin, body: { tts_engine: 'elevenlabs' } });
});

after(async () => {
  await s?.dispose();
  await tg?.close();
  await el?.close();
});

test('a reply is also sent as audio: the bytes ElevenLabs made for the answer are uploaded with sendAudio', async () => {
  tg.sendText(CHAT, 'please say hello world');
  await tg.waitFor(() => tg.callsOf('sendAudio').length > 0, 15_000);
  const call = tg.callsOf('sendAudio')[0];
  assert.equal(String(call.body.chat_id), String(CHAT));
  assert.ok((call.body.raw as Buffer).includes(el.audioFor('please say hello world')), 'the uploaded file is the synthesized audio');
  assert.match(tg.chatText(CHAT), /please say hello world/, 'the text answer still arrives');
});
