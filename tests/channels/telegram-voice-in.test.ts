/**
 * Voice messages to the bot: the real telegraf fetches the file through the fake Bot API (`getFile`, then
 * `/file/bot<token>/<path>`), the audio transcriber (here Gemini audio input through @google/genai, to a stand-in
 * speaking generateContent) writes it down, the chat sees the transcript, and the agent answers it as a normal turn.
 * Without a transcriber the chat is told so, and nothing is downloaded or counted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFakeGeminiAudio } from '../fakes/gemini-audio.ts';
import type { FakeProvider } from '../fakes/server.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const CHAT = 444;
const STRANGER = 445;
const OGG = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(3000, 7)]);

/** The bot's new messages in `chatId` since `before`, joined. */
const since = (tg: FakeTelegram, chatId: number, before: number) => tg.chatMessages(chatId).slice(before).map((m) => m.text).join('\n');

describe('with a transcriber', () => {
  let tg: FakeTelegram;
  let gemini: FakeProvider;
  let s: TestServer;
  let admin: { token: string };

  before(async () => {
    tg = await startFakeTelegram();
    gemini = await startFakeGeminiAudio((audio) => `gemini heard ${audio.bytes.length} bytes of ${audio.mimeType}`);
    s = await startServer({ env: { ...tg.env, ...gemini.env, TELEGRAM_BOT_TOKEN: tg.token } });
    admin = await s.signup();
    await s.api('POST', '/api/config/settings', { token: admin.token, body: { provider: 'echo', model: 'echo-1' } });
    await s.api('POST', '/api/telegram/config', { token: admin.token, body: { allowed_ids: [String(CHAT)] } });
  });
  after(async () => {
    await s?.dispose();
    await tg?.close();
    await gemini?.close();
  });

  test('a voice message is downloaded, transcribed, shown as 🎤 and answered as a normal turn', async () => {
    const before = tg.chatMessages(CHAT).length;
    tg.sendVoice(CHAT, OGG);
    const transcript = `gemini heard ${OGG.length} bytes of audio/ogg`;
    await tg.waitFor(() => tg.chatMessages(CHAT).slice(before).filter((m) => m.text.includes(transcript)).length >= 2, 20_000);
    const [shown, answer] = tg.chatMessages(CHAT).slice(before).filter((m) => m.text.includes(transcript));
    assert.equal(shown.text, `🎤 ${transcript}`, 'the transcript is shown first');
    assert.equal(answer.text, transcript, 'echo answers the transcript: it was the turn\'s message');

    const getFile = tg.callsOf('getFile').at(-1)!;
    assert.match(getFile.body.file_id, /^AwACAgIAAxkBAAIvoice/);
    assert.equal(tg.downloads.get('voice/file_1.oga'), 1);
    const inline = gemini.lastRequest!.body.contents[0].parts[0].inlineData;
    assert.equal(inline.mimeType, 'audio/ogg');
    assert.ok(Buffer.from(inline.data, 'base64').equals(OGG), 'the downloaded bytes reached the transcriber');

    // The transcript is the user's message in the chat's conversation.
    const list = (await s.api('GET', '/api/conversations', { token: admin.token })).body.conversations;
    const conv = list.find((c: any) => c.title === 'Telegram');
    const full = (await s.api('GET', `/api/conversations/${conv.id}`, { token: admin.token })).body;
    const messages = full.messages ?? full.conversation?.messages;
    assert.ok(messages.some((m: any) => m.role === 'user' && m.content === transcript), JSON.stringify(messages));
  });

  test('an audio file (not a voice note) is transcribed too', async () => {
    const before = tg.chatMessages(CHAT).length;
    tg.sendVoice(CHAT, Buffer.alloc(1234, 1), { kind: 'audio', mimeType: 'audio/mpeg', fileName: 'memo.mp3' });
    await tg.waitFor(() => since(tg, CHAT, before).includes('🎤 gemini heard 1234 bytes of audio/mpeg'), 20_000);
  });

  test("a voice message over the Bot API's 20 MB download limit is refused without fetching it", async () => {
    const before = tg.chatMessages(CHAT).length;
    const calls = tg.callsOf('getFile').length;
    tg.sendVoice(CHAT, Buffer.alloc(10), { fileSize: 25 * 1024 * 1024 });
    await tg.waitFor(() => since(tg, CHAT, before).includes('too long'), 15_000);
    assert.match(since(tg, CHAT, before), /files up to 20 MB/);
    assert.equal(tg.callsOf('getFile').length, calls);
  });

  test('a voice message from a chat that is not whitelisted is never downloaded or transcribed', async () => {
    const requests = gemini.requests.length;
    const update = tg.sendVoice(STRANGER, OGG);
    await tg.waitFor(() => tg.callsOf('getUpdates').some((c) => Number(c.body.offset) > update));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(tg.chatMessages(STRANGER).length, 0);
    assert.equal(gemini.requests.length, requests, 'no transcription paid for a stranger');
    assert.equal([...tg.downloads.keys()].length, 2, 'only the two whitelisted files were fetched (not the oversized one)');
  });
});

describe('without a transcriber', () => {
  let tg: FakeTelegram;
  let s: TestServer;
  let admin: { token: string; user: any };

  before(async () => {
    tg = await startFakeTelegram();
    s = await startServer({ env: { ...tg.env, TELEGRAM_BOT_TOKEN: tg.token } });
    admin = await s.signup();
    await s.api('POST', '/api/telegram/config', { token: admin.token, body: { allowed_ids: [String(CHAT)] } });
  });
  after(async () => {
    await s?.dispose();
    await tg?.close();
  });

  test('the chat is told that no transcriber is configured; nothing is downloaded or counted', async () => {
    const messagesThisHour = async () => (await s.api('GET', '/api/auth/me', { token: admin.token })).body.user.usage.messagesThisHour as number;
    const counted = await messagesThisHour();
    assert.equal(typeof counted, 'number');
    tg.sendVoice(CHAT, OGG);
    await tg.waitFor(() => tg.chatText(CHAT).length > 0, 15_000);
    assert.match(tg.chatText(CHAT), /Voice messages need a transcriber, and none is configured/);
    assert.match(tg.chatText(CHAT), /OPENAI_API_KEY, ELEVENLABS_API_KEY or GEMINI_API_KEY/);
    assert.equal(tg.callsOf('getFile').length, 0);
    assert.equal(tg.downloads.size, 0);
    assert.equal(await messagesThisHour(), counted, 'not counted as a message');
  });
});

describe('a transcriber that fails', () => {
  let tg: FakeTelegram;
  let gemini: FakeProvider;
  let s: TestServer;

  before(async () => {
    tg = await startFakeTelegram();
    gemini = await startFakeGeminiAudio(() => 'never', 'the-right-key');
    s = await startServer({ env: { ...tg.env, GEMINI_BASE_URL: gemini.url, GEMINI_API_KEY: 'a-refused-key', TELEGRAM_BOT_TOKEN: tg.token } });
    const admin = await s.signup();
    await s.api('POST', '/api/telegram/config', { token: admin.token, body: { allowed_ids: [String(CHAT)] } });
  });
  after(async () => {
    await s?.dispose();
    await tg?.close();
    await gemini?.close();
  });

  test('the chat is told why, no turn runs, and neither the bot token nor the key shows up in the chat or the log', async () => {
    tg.sendVoice(CHAT, OGG);
    await tg.waitFor(() => tg.chatText(CHAT).length > 0, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.match(tg.chatText(CHAT), /^⚠️ I could not transcribe that voice message: Gemini audio input/);
    assert.equal(tg.chatMessages(CHAT).length, 1, 'no agent turn after a failed transcription');
    for (const secret of [tg.token, 'a-refused-key']) {
      assert.equal(tg.chatText(CHAT).includes(secret), false);
      assert.equal(s.output.includes(secret), false, 'not in the server log');
    }
  });
});
