/**
 * The bot's lifecycle around telegraf: start (long polling, or a webhook when `TELEGRAM_WEBHOOK_URL` is set), stop,
 * restart after a token change, status for `/api/status`. `TELEGRAM_API_ROOT` points telegraf at another Bot API
 * server (a local Bot API server, or the fake in tests).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Telegraf } from 'telegraf';
import { notFound, SerialQueue, unauthorized, type User } from '../../core/plugin-api/index.ts';
import { splitMessage } from './format.ts';
import type { ButtonApi } from './approvals.ts';
import { TelegramRouter } from './router.ts';
import type { TurnDeps } from './turn.ts';

export type BotMode = 'polling' | 'webhook';

const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

function withTimeout(promise: Promise<unknown>, ms: number): Promise<unknown> {
  return Promise.race([promise, new Promise((r) => setTimeout(r, ms).unref())]);
}

export class TelegramBot {
  private bot: Telegraf | undefined;
  private router: TelegramRouter | undefined;
  private controller: AbortController | undefined;
  private launched: Promise<void> | undefined;
  private mode: BotMode | undefined;
  private webhookSecret: string | undefined;
  private state: 'running' | 'stopped' | 'error' = 'stopped';
  private errorText = '';
  /** start/stop/restart run one at a time. */
  private readonly ops = new SerialQueue();

  constructor(private readonly deps: TurnDeps) {}

  /** `running`, `stopped` or `error: …` (channel status contract). */
  status(): string {
    return this.state === 'error' ? `error: ${this.errorText}` : this.state;
  }

  /**
   * Send `text` to every whitelisted chat that acts as `user` (linked to that account, or unlinked when `user` is the
   * first admin). True when at least one chat got it.
   */
  async notify(user: User, text: string): Promise<boolean> {
    if (this.state !== 'running' || !this.bot) return false;
    const { ctx, state } = this.deps;
    const admin = await ctx.auth.firstAdmin();
    let sent = false;
    for (const chatId of await state.allowedIds()) {
      const linked = await state.linkedUser(chatId);
      if ((linked ?? admin?.id) !== user.id) continue;
      for (const part of splitMessage(text)) await this.bot.telegram.sendMessage(chatId, part);
      sent = true;
    }
    return sent;
  }

  /** The bot is receiving updates by long polling. */
  pollingActive(): boolean {
    return this.state === 'running' && this.mode === 'polling';
  }

  currentMode(): BotMode | undefined {
    return this.state === 'running' ? this.mode : undefined;
  }

  start(): Promise<void> {
    return this.serial(() => this.doStart());
  }

  stop(): Promise<void> {
    return this.serial(() => this.doStop());
  }

  /** Stop and start again with the current token (after `POST /api/telegram/config`). */
  restart(): Promise<void> {
    return this.serial(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    return this.ops.run(fn);
  }

  /** An error message without the token (fetch errors quote the request URL, which contains it). */
  private clean(error: unknown, token: string): string {
    const text = String((error as Error)?.message ?? error).split(token).join('***');
    return text.length > 300 ? `${text.slice(0, 300)}…` : text;
  }

  private async doStart(): Promise<void> {
    const { ctx, state } = this.deps;
    const token = ctx.secrets.get('TELEGRAM_BOT_TOKEN')?.trim();
    if (!token) {
      this.state = 'stopped';
      ctx.log.info('telegram: no TELEGRAM_BOT_TOKEN, bot not started');
      return;
    }
    const apiRoot = process.env.TELEGRAM_API_ROOT?.trim();
    const { Telegraf: TelegrafBot } = await import('telegraf'); // loaded when a bot starts, not with the plugin
    const bot = new TelegrafBot(token, { telegram: apiRoot ? { apiRoot } : {}, handlerTimeout: 30_000 });
    const controller = new AbortController();
    const router = new TelegramRouter(this.deps, controller.signal);
    const api = bot.telegram as unknown as ButtonApi;
    bot.on('message', (t) => router.onMessage(api, t.message as any));
    bot.on('callback_query', (t) => router.onCallback(api, t.callbackQuery as any));
    // telegraf's default handler sets process.exitCode and rethrows; one bad update must not do that.
    bot.catch((error) => ctx.log.error({ err: { message: this.clean(error, token) } }, 'telegram: handling an update failed'));
    this.bot = bot;
    this.router = router;
    this.controller = controller;
    try {
      const webhookUrl = process.env.TELEGRAM_WEBHOOK_URL?.trim();
      if (webhookUrl) {
        bot.botInfo = await bot.telegram.getMe();
        const secret = process.env.TELEGRAM_WEBHOOK_SECRET?.trim() || randomBytes(32).toString('base64url');
        await bot.telegram.setWebhook(webhookUrl, { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES] });
        this.webhookSecret = secret;
        this.mode = 'webhook';
      } else {
        await new Promise<void>((resolve, reject) => {
          // launch() resolves only when polling ends; its callback runs once getMe succeeded.
          const launched = bot.launch({ allowedUpdates: [...ALLOWED_UPDATES] }, () => resolve());
          this.launched = launched.then(
            () => undefined,
            (error) => {
              reject(error);
              if (this.bot !== bot) return;
              this.state = 'error';
              this.errorText = this.clean(error, token);
              ctx.log.error({ err: { message: this.errorText } }, 'telegram: polling stopped with an error');
            },
          );
        });
        this.mode = 'polling';
      }
      this.state = 'running';
      ctx.log.info({ mode: this.mode, username: bot.botInfo?.username }, 'telegram: bot started');
      if (!(await state.allowedIds()).length) await this.logPairing();
    } catch (error) {
      this.state = 'error';
      this.errorText = this.clean(error, token);
      ctx.log.error({ err: { message: this.errorText } }, 'telegram: bot failed to start');
      await this.teardown();
      this.state = 'error';
    }
  }

  /** Tell the operator how to pair (the code is also shown by `GET /api/telegram/config`). */
  async logPairing(): Promise<void> {
    const code = await this.deps.state.pairingCode();
    this.deps.ctx.log.warn(`telegram: pairing mode (empty whitelist) — send "/start ${code}" to the bot from the chat that should own it`);
  }

  private async doStop(): Promise<void> {
    await this.teardown();
    this.state = 'stopped';
  }

  private async teardown(): Promise<void> {
    const { bot, controller, launched, router } = this;
    if (!bot) return;
    this.bot = undefined;
    controller?.abort(new Error('telegram bot stopped'));
    try {
      bot.stop('stop');
    } catch {
      /* not running (webhook mode, or start failed) */
    }
    // Polling ends after its current request is aborted; running turns end once their signal aborted.
    if (launched) await withTimeout(launched, 6_000);
    if (router) await withTimeout(router.settle(), 5_000);
    this.mode = undefined;
    this.webhookSecret = undefined;
    this.launched = undefined;
    this.router = undefined;
    this.controller = undefined;
  }

  /** `POST /api/telegram/webhook`: check the secret token header, then handle the update. */
  async handleWebhook(secretHeader: string | undefined, update: any, validate: () => void): Promise<void> {
    const bot = this.bot;
    if (!bot || this.mode !== 'webhook' || !this.webhookSecret) throw notFound('The Telegram webhook is not active', 'WEBHOOK_INACTIVE');
    const given = Buffer.from(secretHeader ?? '');
    const expected = Buffer.from(this.webhookSecret);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw unauthorized('Invalid webhook secret token', 'INVALID_WEBHOOK_SECRET');
    validate(); // only after the secret: strangers learn nothing about the expected shape
    await bot.handleUpdate(update);
  }
}
