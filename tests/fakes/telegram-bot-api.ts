/**
 * A fake Telegram Bot API server for tests: `node:http` on 127.0.0.1 speaking the real wire format
 * (`POST /bot<token>/<method>` with a JSON body → `{ ok: true, result }` or `{ ok: false, error_code, description }`).
 * The real telegraf reaches it through `TELEGRAM_API_ROOT`.
 *
 * It keeps the state a client can observe: queued updates (served by long-polling `getUpdates` with `offset`), the
 * webhook, and every message the bot sent, with its current text after edits.
 *
 * @example
 * const tg = await startFakeTelegram();
 * const s = await startServer({ env: { ...tg.env, TELEGRAM_BOT_TOKEN: tg.token } });
 * tg.sendText(42, 'hello');
 * await tg.waitFor(() => tg.chatText(42) === 'hello');
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One Bot API call as the fake received it. */
export interface BotApiCall {
  method: string;
  body: any;
  at: number;
}

/** A message the bot sent, as the chat shows it now. */
export interface BotMessage {
  message_id: number;
  chat_id: string;
  text: string;
  reply_markup?: any;
  parse_mode?: string;
  /** Every text it had, first to last (the send, then each edit). */
  history: string[];
  /** It was sent with an inline keyboard (an approval), not as answer text. */
  withButtons: boolean;
}

export interface FakeTelegram {
  url: string;
  token: string;
  /** `TELEGRAM_API_ROOT` for the server under test. */
  env: { TELEGRAM_API_ROOT: string };
  calls: BotApiCall[];
  messages: BotMessage[];
  /** The webhook the bot registered (`setWebhook`), if any. */
  webhook: { url: string; secret_token?: string } | undefined;
  /** Queue a text message from a private chat (`chatId` is also the sender's user id). */
  sendText(chatId: number, text: string): number;
  /** Queue a button press on the bot's message `messageId` in `chatId`. */
  pressButton(chatId: number, messageId: number, data: string): number;
  /**
   * Queue a voice message (`kind: 'audio'` for a music/audio file) whose bytes the bot can fetch with `getFile` and
   * `GET /file/bot<token>/<file_path>`, as from Telegram's servers.
   */
  sendVoice(chatId: number, bytes: Buffer, opts?: { kind?: 'voice' | 'audio'; mimeType?: string; duration?: number; fileName?: string; fileSize?: number }): number;
  /** How often each file was downloaded, by `file_path`. */
  downloads: Map<string, number>;
  /** Build an update without queueing it (for webhook tests). */
  textUpdate(chatId: number, text: string): any;
  /** Calls of one method. */
  callsOf(method: string): BotApiCall[];
  /** The bot's messages in one chat. */
  chatMessages(chatId: number): BotMessage[];
  /** The chat's bot messages joined, as the user reads them. */
  chatText(chatId: number): string;
  /** Resolve once `check()` is true (polled every 25 ms), reject after `timeoutMs`. */
  waitFor(check: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const BOT = { id: 7000001, is_bot: true, first_name: 'AION Test', username: 'aion_test_bot', can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };
const LIMIT = 4096;

export async function startFakeTelegram(token = '7000001:AAFakeTokenForTestsOnly_abcdefghij'): Promise<FakeTelegram> {
  const calls: BotApiCall[] = [];
  const messages: BotMessage[] = [];
  const updates: any[] = [];
  const waiting = new Set<() => void>();
  let nextUpdate = 1;
  let nextMessage = 1;
  let webhook: FakeTelegram['webhook'];
  const files = new Map<string, { path: string; bytes: Buffer }>();
  const downloads = new Map<string, number>();

  const user = (id: number) => ({ id, is_bot: false, first_name: `User${id}` });
  const chat = (id: number) => ({ id, type: 'private', first_name: `User${id}` });
  const now = () => Math.floor(Date.now() / 1000);
  const wake = () => {
    for (const w of [...waiting]) w();
  };
  const push = (update: any) => {
    updates.push(update);
    wake();
    return update.update_id as number;
  };
  const textUpdate = (chatId: number, text: string) => {
    const entities = text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0].length }] : undefined;
    return { update_id: nextUpdate++, message: { message_id: nextMessage++, from: user(chatId), chat: chat(chatId), date: now(), text, ...(entities ? { entities } : {}) } };
  };

  const send = (res: ServerResponse, status: number, payload: unknown) => {
    if (res.writableEnded) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(payload));
  };
  const ok = (res: ServerResponse, result: unknown) => send(res, 200, { ok: true, result });
  const fail = (res: ServerResponse, code: number, description: string) => send(res, code, { ok: false, error_code: code, description });
  const asMessage = (m: BotMessage) => ({ message_id: m.message_id, from: BOT, chat: chat(Number(m.chat_id)), date: now(), text: m.text, ...(m.reply_markup ? { reply_markup: m.reply_markup } : {}) });

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: any = {};
    const raw = Buffer.concat(chunks);
    if (/^multipart\/form-data/.test(req.headers['content-type'] ?? '')) {
      // File uploads (sendAudio, sendVoice): keep the raw parts; the plain fields are read out of them.
      const text = raw.toString('latin1');
      const field = (name: string) => new RegExp(`name="${name}"\r\n\r\n([^\r]*)`).exec(text)?.[1];
      body = { chat_id: field('chat_id'), multipart: true, raw };
    } else {
      try {
        body = chunks.length ? JSON.parse(raw.toString('utf8')) : {};
      } catch {
        return fail(res, 400, 'Bad Request: invalid JSON');
      }
    }
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(req.url ?? '');
    if (download && req.method === 'GET') {
      // File downloads answer with the bytes (or a JSON error like Telegram's file server).
      if (download[1] !== token) return fail(res, 401, 'Unauthorized');
      const file = [...files.values()].find((f) => f.path === download[2]);
      if (!file) return fail(res, 404, 'Not Found');
      downloads.set(file.path, (downloads.get(file.path) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.bytes.length });
      return void res.end(file.bytes);
    }
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
    if (!m) return fail(res, 404, 'Not Found');
    if (m[1] !== token) return fail(res, 401, 'Unauthorized');
    const method = m[2];
    calls.push({ method, body, at: Date.now() });
    switch (method) {
      case 'getMe':
        return ok(res, BOT);
      case 'deleteWebhook':
        webhook = undefined;
        return ok(res, true);
      case 'setWebhook':
        webhook = { url: body.url, secret_token: body.secret_token };
        return ok(res, true);
      case 'getUpdates': {
        if (webhook) return fail(res, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
        const offset = Number(body.offset ?? 0);
        // A positive offset confirms every earlier update (they are gone for good).
        if (offset > 0) for (let i = updates.length - 1; i >= 0; i--) if (updates[i].update_id < offset) updates.splice(i, 1);
        const limit = Number(body.limit ?? 100);
        const ready = () => updates.filter((u) => u.update_id >= offset).slice(0, limit);
        if (ready().length || !body.timeout) return ok(res, ready());
        // Long poll: answer when an update arrives or the timeout passes, whichever is first.
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            waiting.delete(done);
            resolve();
          };
          const timer = setTimeout(done, Number(body.timeout) * 1000);
          waiting.add(done);
          res.on('close', done);
        });
        return ok(res, ready());
      }
      case 'sendMessage': {
        const text = String(body.text ?? '');
        if (!text.trim()) return fail(res, 400, 'Bad Request: message text is empty');
        if (text.length > LIMIT) return fail(res, 400, 'Bad Request: message is too long');
        const msg: BotMessage = { message_id: nextMessage++, chat_id: String(body.chat_id), text, reply_markup: body.reply_markup, parse_mode: body.parse_mode, history: [text], withButtons: !!body.reply_markup?.inline_keyboard };
        messages.push(msg);
        return ok(res, asMessage(msg));
      }
      case 'editMessageText': {
        const msg = messages.find((x) => x.chat_id === String(body.chat_id) && x.message_id === Number(body.message_id));
        if (!msg) return fail(res, 400, 'Bad Request: message to edit not found');
        const text = String(body.text ?? '');
        if (!text.trim()) return fail(res, 400, 'Bad Request: message text is empty');
        if (text.length > LIMIT) return fail(res, 400, 'Bad Request: MESSAGE_TOO_LONG');
        const sameMarkup = JSON.stringify(body.reply_markup ?? null) === JSON.stringify(msg.reply_markup ?? null);
        if (text.trim() === msg.text.trim() && sameMarkup) {
          return fail(res, 400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
        }
        msg.text = text;
        msg.reply_markup = body.reply_markup;
        msg.history.push(text);
        return ok(res, asMessage(msg));
      }
      case 'getFile': {
        const file = files.get(String(body.file_id));
        if (!file) return fail(res, 400, 'Bad Request: invalid file_id');
        return ok(res, { file_id: String(body.file_id), file_unique_id: `u-${body.file_id}`, file_size: file.bytes.length, file_path: file.path });
      }
      case 'answerCallbackQuery':
      case 'sendChatAction':
        return ok(res, true);
      case 'sendAudio':
      case 'sendVoice':
        return ok(res, { message_id: nextMessage++, from: BOT, chat: chat(Number(body.chat_id)), date: now(), audio: { file_id: `audio-${nextMessage}` } });
      default:
        return fail(res, 404, 'Not Found: method not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeTelegram = {
    url,
    token,
    env: { TELEGRAM_API_ROOT: url },
    calls,
    messages,
    get webhook() {
      return webhook;
    },
    sendText: (chatId, text) => push(textUpdate(chatId, text)),
    downloads,
    sendVoice: (chatId, bytes, opts = {}) => {
      const kind = opts.kind ?? 'voice';
      const n = files.size + 1;
      const fileId = `AwACAgIAAxkBAAI${kind}${n}`;
      const path = kind === 'voice' ? `voice/file_${n}.oga` : `music/file_${n}.mp3`;
      files.set(fileId, { path, bytes });
      const media = { file_id: fileId, file_unique_id: `u-${fileId}`, duration: opts.duration ?? 2, mime_type: opts.mimeType ?? (kind === 'voice' ? 'audio/ogg' : 'audio/mpeg'), file_size: opts.fileSize ?? bytes.length, ...(opts.fileName ? { file_name: opts.fileName } : {}) };
      return push({ update_id: nextUpdate++, message: { message_id: nextMessage++, from: user(chatId), chat: chat(chatId), date: now(), [kind]: media } });
    },
    pressButton: (chatId, messageId, data) => {
      const msg = messages.find((x) => x.chat_id === String(chatId) && x.message_id === messageId);
      return push({
        update_id: nextUpdate++,
        callback_query: {
          id: String(Date.now()) + nextUpdate,
          from: user(chatId),
          chat_instance: `ci${chatId}`,
          data,
          message: msg ? asMessage(msg) : { message_id: messageId, chat: chat(chatId), date: now(), text: '' },
        },
      });
    },
    textUpdate,
    callsOf: (method) => calls.filter((c) => c.method === method),
    chatMessages: (chatId) => messages.filter((x) => x.chat_id === String(chatId)),
    chatText: (chatId) => messages.filter((x) => x.chat_id === String(chatId) && !x.withButtons).map((x) => x.text).join(''),
    async waitFor(check, timeoutMs = 10_000) {
      const started = Date.now();
      while (!check()) {
        if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for the fake Telegram`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async close() {
      wake();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
