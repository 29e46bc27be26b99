/**
 * HTTP side of the Telegram channel: `GET/POST /api/telegram/config` (admin), `POST /api/telegram/link-code` (user)
 * and the public webhook `POST /api/telegram/webhook` (checked by its secret token header).
 */
import { z } from 'zod';
import { badRequest, type PluginContext } from '../../core/plugin-api/index.ts';
import type { TelegramBot } from './bot.ts';
import { LINK_CODE_TTL_MS, type TelegramState } from './state.ts';

const TOKEN = /^\d{3,20}:[A-Za-z0-9_-]{20,100}$/;
const CHAT_ID = /^-?\d{1,20}$/;

/**
 * The original's masking: `<bot id>:<first 3 characters of the secret>***` (the bot id is public), otherwise the
 * first 6 characters and `***`.
 */
export function maskToken(token: string | undefined): string {
  if (!token) return '';
  const parts = token.split(':');
  if (parts.length === 2) return `${parts[0]}:${parts[1].slice(0, 3)}***`;
  return `${token.slice(0, 6)}***`;
}

export function registerTelegramRoutes(ctx: PluginContext<any>, bot: TelegramBot, state: TelegramState): void {
  ctx.routes.get('/telegram/config', { access: 'admin', summary: 'Telegram bot configuration (token masked)' }, async (_c, { user }) => {
    const token = ctx.secrets.get('TELEGRAM_BOT_TOKEN');
    const allowed = await state.allowedIds();
    const link = (await state.currentLinkCode(user.id)) ?? (await state.issueLinkCode(user.id));
    return {
      token_set: !!token,
      token_masked: maskToken(token),
      allowed_ids: allowed,
      polling_active: bot.pollingActive(),
      ...(allowed.length ? {} : { pairing_code: await state.pairingCode() }),
      link_code: link.code,
      status: bot.status(),
      mode: bot.currentMode() ?? null,
    };
  });

  ctx.routes.post('/telegram/config', {
    access: 'admin',
    summary: 'Change the bot token (restarts the bot) and/or the chat whitelist',
    body: z.object({
      token: z.string().trim().max(256).optional(),
      allowed_ids: z.array(z.union([z.string().max(64), z.number().int()])).max(1000).optional(),
    }),
  }, async (_c, { body }) => {
    if (body.token && !TOKEN.test(body.token)) throw badRequest('Not a Telegram bot token (expected <bot id>:<secret>)', [{ field: 'token', message: 'invalid format' }], 'INVALID_TOKEN');
    if (body.allowed_ids) {
      const ids = body.allowed_ids.map((x) => String(x).trim()).filter(Boolean);
      const bad = ids.find((id) => !CHAT_ID.test(id));
      if (bad !== undefined) throw badRequest('Chat ids are numbers', [{ field: 'allowed_ids', message: `invalid chat id: ${bad.slice(0, 64)}` }]);
      await state.setAllowedIds(ids);
      if (!ids.length && bot.status() === 'running') await bot.logPairing();
    }
    if (body.token !== undefined) {
      await ctx.secrets.set({ TELEGRAM_BOT_TOKEN: body.token });
      await bot.restart();
    }
    return { ok: true, polling_active: bot.pollingActive(), status: bot.status() };
  });

  ctx.routes.post('/telegram/link-code', { summary: 'A one-time code: `/link CODE` in Telegram makes that chat act as you (10 minutes)' }, async (_c, { user }) => {
    const { code, expiresAt } = await state.issueLinkCode(user.id);
    return { ok: true, code, expires_at: new Date(expiresAt).toISOString(), expires_in: LINK_CODE_TTL_MS / 1000 };
  });

  ctx.routes.public.post('/telegram/webhook', { summary: 'Telegram webhook (X-Telegram-Bot-Api-Secret-Token checked)' }, async (c, { body }) => {
    const secret = c.get('x-telegram-bot-api-secret-token') || undefined;
    const update = body as { update_id?: unknown } | undefined;
    await bot.handleWebhook(secret, update, () => {
      if (!update || typeof update !== 'object' || typeof update.update_id !== 'number') throw badRequest('Not a Telegram update', undefined, 'INVALID_UPDATE');
    });
    return { ok: true };
  });
}
