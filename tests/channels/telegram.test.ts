/**
 * The Telegram channel end to end: the real server and the real telegraf, long polling a fake Bot API
 * (`tests/fakes/telegram-bot-api.ts`) through `TELEGRAM_API_ROOT`.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram-bot-api.ts';
import { pluginsDir as makePluginsDir, TEST_TOOLS_MANIFEST, TEST_TOOLS_PLUGIN, writePlugin } from '../helpers/plugins.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const OWNER = 222;
const STRANGER = 999;

let tg: FakeTelegram;
let s: TestServer;
let admin: { token: string; user: any };
let pluginsDir: string;

/** Resolve once the bot fetched past `updateId` — its handler has run by then (polling awaits each batch). */
async function consumed(updateId: number): Promise<void> {
  await tg.waitFor(() => tg.callsOf('getUpdates').some((c) => Number(c.body.offset) > updateId));
}

/** Send `text` from `chatId`; resolve with the bot's answer (its new messages, joined) once `done` accepts it. */
async function ask(chatId: number, text: string, done: (answer: string) => boolean, timeoutMs = 15_000): Promise<string> {
  const before = tg.chatMessages(chatId).length;
  tg.sendText(chatId, text);
  const answer = () => tg.chatMessages(chatId).slice(before).filter((m) => !m.withButtons).map((m) => m.text).join('');
  await tg.waitFor(() => done(answer()), timeoutMs);
  return answer();
}

before(async () => {
  tg = await startFakeTelegram();
  pluginsDir = makePluginsDir();
  writePlugin(pluginsDir, 'test-tools', TEST_TOOLS_PLUGIN, TEST_TOOLS_MANIFEST);
  s = await startServer({ env: { ...tg.env, TELEGRAM_BOT_TOKEN: tg.token, PLUGINS_DIRS: pluginsDir, ECHO_DELAY_MS: '60' } });
  admin = await s.signup();
});

after(async () => {
  await s?.dispose();
  await tg?.close();
  rmSync(pluginsDir, { recursive: true, force: true });
});

describe('pairing (empty whitelist)', () => {
  test('a wrong code and plain messages get nothing; /start with the pairing code makes the chat the owner', async () => {
    const cfg = await s.api('GET', '/api/telegram/config', { token: admin.token });
    assert.equal(cfg.status, 200);
    assert.deepEqual(cfg.body.allowed_ids, []);
    assert.match(cfg.body.pairing_code, /^[A-Z0-9]{8}$/);
    assert.match(s.output, new RegExp(`/start ${cfg.body.pairing_code}`), 'the pairing code is logged at start');

    // First come is not first served: a plain /start, a wrong code and a normal message are all ignored.
    tg.sendText(111, '/start');
    tg.sendText(111, '/start WRONGCODE');
    const last = tg.sendText(111, 'hello?');
    await consumed(last);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(tg.chatMessages(111).length, 0);
    assert.deepEqual((await s.api('GET', '/api/telegram/config', { token: admin.token })).body.allowed_ids, []);

    const paired = await ask(OWNER, `/start ${cfg.body.pairing_code.toLowerCase()}`, (a) => a.includes('Paired'));
    assert.match(paired, /owner/);
    const after = await s.api('GET', '/api/telegram/config', { token: admin.token });
    assert.deepEqual(after.body.allowed_ids, [String(OWNER)]);
    assert.equal(after.body.pairing_code, undefined, 'no pairing code once there is an owner');

    // The old code is spent: another chat cannot pair with it.
    const late = tg.sendText(112, `/start ${cfg.body.pairing_code}`);
    await consumed(late);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(tg.chatMessages(112).length, 0);
  });
});

describe('answers', () => {
  test('a whitelisted chat gets the echo answer, streamed by editing one message at most once a second', async () => {
    const text = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty twentyone twentytwo twentythree twentyfour twentyfive twentysix twentyseven twentyeight twentynine thirty thirtyone thirtytwo thirtythree thirtyfour thirtyfive thirtysix thirtyseven thirtyeight thirtynine forty';
    const sentBefore = tg.callsOf('editMessageText').length;
    const answer = await ask(OWNER, text, (a) => a === text);
    assert.equal(answer, text);
    const msgs = tg.chatMessages(OWNER).filter((m) => m.text === text);
    assert.equal(msgs.length, 1, 'one message, edited in place');
    assert.ok(msgs[0].history.length >= 2, `streamed with edits (history: ${msgs[0].history.length})`);
    assert.ok(text.startsWith(msgs[0].history[0]) && msgs[0].history[0].length < text.length, 'the first text is a prefix');
    const edits = tg.callsOf('editMessageText').slice(sentBefore).filter((c) => String(c.body.chat_id) === String(OWNER));
    for (let i = 1; i < edits.length; i++) assert.ok(edits[i].at - edits[i - 1].at >= 950, `edits ${edits[i].at - edits[i - 1].at} ms apart`);
    assert.ok(tg.callsOf('sendChatAction').some((c) => String(c.body.chat_id) === String(OWNER)), 'typing shown');
  });

  test('chats that are not whitelisted get nothing, and their buttons are ignored', async () => {
    const id = tg.sendText(STRANGER, 'let me in');
    const press = tg.pressButton(STRANGER, 1, 'ap:AAAAAAAAAAAA:y');
    await consumed(Math.max(id, press));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(tg.chatMessages(STRANGER).length, 0);
    assert.equal(tg.callsOf('answerCallbackQuery').length, 0);
    assert.doesNotMatch(s.output, /let me in/, 'ignored messages are logged without their text');
  });

  test('long answers are split into messages of at most 4,096 characters', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => `${String(i).padStart(2, '0')}${'x'.repeat(97)}`);
    const text = lines.join('\n'); // 50 lines of 99 characters + newlines = 4,999 characters
    const answer = await ask(OWNER, text, (a) => a === text, 20_000);
    assert.equal(answer, text);
    const parts = tg.chatMessages(OWNER).filter((m) => m.text.includes('x'.repeat(97)));
    assert.equal(parts.length, 2);
    for (const p of parts) assert.ok(p.text.length <= 4096);
    assert.ok(parts[0].text.endsWith('\n'), 'split at a line break');
  });
});

describe('approvals', () => {
  test('Approve runs the tool, Deny refuses it; buttons of another chat are expired', async () => {
    await s.api('POST', '/api/telegram/config', { token: admin.token, body: { allowed_ids: [String(OWNER), '333'] } });
    const before = tg.chatMessages(OWNER).length;
    tg.sendText(OWNER, '/tool danger {}');
    await tg.waitFor(() => tg.chatMessages(OWNER).slice(before).some((m) => m.withButtons));
    const prompt = tg.chatMessages(OWNER).slice(before).find((m) => m.withButtons)!;
    assert.match(prompt.text, /danger/);
    const [approve, deny] = prompt.reply_markup.inline_keyboard[0];
    assert.equal(approve.text, '✅ Approve');
    assert.equal(deny.text, '❌ Deny');

    // Chat 333 is whitelisted but the approval belongs to the owner's chat.
    tg.pressButton(333, prompt.message_id, approve.callback_data);
    await tg.waitFor(() => tg.callsOf('answerCallbackQuery').some((c) => /expired/.test(c.body.text)));

    tg.pressButton(OWNER, prompt.message_id, approve.callback_data);
    await tg.waitFor(() => tg.chatMessages(OWNER).slice(before).some((m) => !m.withButtons && /Tool result: .*"done":true/.test(m.text)));
    assert.ok(tg.callsOf('answerCallbackQuery').some((c) => c.body.text === 'Approved'));
    const result = tg.chatMessages(OWNER).slice(before).find((m) => /Tool result/.test(m.text))!;
    assert.match(result.text, /"done":true/);
    assert.match(prompt.text, /approved/, 'the prompt shows the decision');
    assert.equal(prompt.reply_markup, undefined, 'and loses its buttons');

    const before2 = tg.chatMessages(OWNER).length;
    tg.sendText(OWNER, '/tool danger {}');
    await tg.waitFor(() => tg.chatMessages(OWNER).slice(before2).some((m) => m.withButtons));
    const prompt2 = tg.chatMessages(OWNER).slice(before2).find((m) => m.withButtons)!;
    tg.pressButton(OWNER, prompt2.message_id, prompt2.reply_markup.inline_keyboard[0][1].callback_data);
    await tg.waitFor(() => tg.chatMessages(OWNER).slice(before2).some((m) => /did not approve danger/.test(m.text)));
    assert.match(tg.chatText(OWNER), /did not approve danger/);
  });

  test('typing "ja" answers the parked call like the button', async () => {
    const before = tg.chatMessages(OWNER).length;
    tg.sendText(OWNER, '/tool danger {}');
    await tg.waitFor(() => tg.chatMessages(OWNER).slice(before).some((m) => m.withButtons));
    tg.sendText(OWNER, 'Ja');
    await tg.waitFor(() => tg.chatMessages(OWNER).slice(before).some((m) => !m.withButtons && /Tool result: .*"done":true/.test(m.text)));
  });
});

describe('commands', () => {
  test('/model shows the active model; admins switch it; unknown names are refused', async () => {
    const shown = await ask(OWNER, '/model', (a) => a.includes('Active model'));
    assert.match(shown, /echo-1/);
    const last = tg.chatMessages(OWNER).at(-1)!;
    assert.equal(last.parse_mode, 'MarkdownV2');
    assert.match(last.text, /\\\(echo\\\)/, 'MarkdownV2-escaped');
    assert.match(await ask(OWNER, '/model echo-1', (a) => a.includes('Switched')), /echo-1 \(echo\)/);
    assert.match(await ask(OWNER, '/model no-such-model-xyz', (a) => a.includes('Unknown')), /no-such-model-xyz/);
  });

  test('/new starts a new conversation for the chat', async () => {
    const list = async () => (await s.api('GET', '/api/conversations', { token: admin.token })).body;
    const count = (body: any) => (body.conversations ?? body.data ?? body).length;
    const before = count(await list());
    await ask(OWNER, '/new', (a) => a.includes('new conversation'));
    await ask(OWNER, 'fresh start', (a) => a === 'fresh start');
    assert.equal(count(await list()), before + 1);
  });

  test('/link CODE makes a chat act as that account, whose plan quota applies', async () => {
    const user = await s.signup(); // free plan: 10 messages an hour
    const code = await s.api('POST', '/api/telegram/link-code', { token: user.token });
    assert.equal(code.status, 200);
    assert.match(code.body.code, /^[A-Z0-9]{8}$/);
    assert.equal(code.body.expires_in, 600);

    assert.match(await ask(333, '/link WRONG123', (a) => a.includes('invalid')), /expired/);
    assert.match(await ask(333, `/link ${code.body.code}`, (a) => a.includes('acts as')), new RegExp(user.email));
    assert.equal(await ask(333, 'hi as user', (a) => a === 'hi as user'), 'hi as user');
    const convs = (await s.api('GET', '/api/conversations', { token: user.token })).body;
    assert.equal((convs.conversations ?? convs.data ?? convs).length, 1, "the turn went into the linked user's conversation");
    // The code is single-use.
    assert.match(await ask(333, `/link ${code.body.code}`, (a) => a.includes('invalid')), /invalid/);

    // Use up the free plan's hour through the web API; Telegram then answers politely instead of running the agent.
    for (let i = 0; i < 9; i++) {
      const r = await s.api('POST', '/api/chat', { token: user.token, body: { message: `m${i}` } });
      assert.equal(r.status, 200);
    }
    assert.match(await ask(333, 'one more', (a) => a.includes('limit')), /hourly message limit/);
  });
});

describe('config endpoints', () => {
  test('admin only, token masked, ids as strings, bad input is a 400', async () => {
    assert.equal((await s.api('GET', '/api/telegram/config')).status, 401);
    const user = await s.signup();
    assert.equal((await s.api('GET', '/api/telegram/config', { token: user.token })).status, 403);
    assert.equal((await s.api('POST', '/api/telegram/config', { token: user.token, body: { allowed_ids: [] } })).status, 403);

    const cfg = await s.api('GET', '/api/telegram/config', { token: admin.token });
    assert.equal(cfg.body.token_set, true);
    assert.equal(cfg.body.token_masked, '7000001:AAF***');
    assert.ok(!cfg.text.includes(tg.token.split(':')[1]), 'the token never appears');
    assert.equal(cfg.body.polling_active, true);
    assert.equal(cfg.body.status, 'running');
    assert.match(cfg.body.link_code, /^[A-Z0-9]{8}$/);

    const bad = await s.api('POST', '/api/telegram/config', { token: admin.token, body: { token: 'not-a-token' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'INVALID_TOKEN');
    assert.equal((await s.api('POST', '/api/telegram/config', { token: admin.token, body: { allowed_ids: ['abc'] } })).status, 400);

    const saved = await s.api('POST', '/api/telegram/config', { token: admin.token, body: { allowed_ids: [OWNER, ' 333 ', ''] } });
    assert.deepEqual(saved.body, { ok: true, polling_active: true, status: 'running' });
    assert.deepEqual((await s.api('GET', '/api/telegram/config', { token: admin.token })).body.allowed_ids, [String(OWNER), '333']);
    assert.ok(!s.output.includes(tg.token), 'the token is never logged');
  });

  test('saving a token restarts the bot without a server restart; a rejected token shows as an error status', async () => {
    const getMes = tg.callsOf('getMe').length;
    const wrong = await s.api('POST', '/api/telegram/config', { token: admin.token, body: { token: '7000001:AAWrongTokenForTests_abcdefghijk' } });
    assert.equal(wrong.status, 200);
    assert.equal(wrong.body.polling_active, false);
    assert.match(wrong.body.status, /^error: .*401/);
    assert.match((await s.api('GET', '/api/status')).body.channels.telegram, /^error: /);

    const cleared = await s.api('POST', '/api/telegram/config', { token: admin.token, body: { token: '' } });
    assert.deepEqual(cleared.body, { ok: true, polling_active: false, status: 'stopped' });
    assert.equal((await s.api('GET', '/api/telegram/config', { token: admin.token })).body.token_set, false);

    const fixed = await s.api('POST', '/api/telegram/config', { token: admin.token, body: { token: tg.token } });
    assert.deepEqual(fixed.body, { ok: true, polling_active: true, status: 'running' });
    assert.ok(tg.callsOf('getMe').length > getMes);
    assert.equal((await s.api('GET', '/api/status')).body.channels.telegram, 'running');
    assert.equal(await ask(OWNER, 'back again', (a) => a === 'back again'), 'back again');
  });
});
