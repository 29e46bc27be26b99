/**
 * Telegram channel (`telegram`): a bot that lets whitelisted chats talk to the agent — streamed answers, approval
 * buttons, /new, /model, /link, voice messages (through the audio-transcriber service) — over long polling, or a webhook when `TELEGRAM_WEBHOOK_URL` is set. The token comes
 * from `TELEGRAM_BOT_TOKEN`; the whitelist and chat mappings live in the plugin's store.
 */
import { definePlugin } from '../../core/plugin-api/index.ts';
import { ApprovalButtons } from './approvals.ts';
import { TelegramBot } from './bot.ts';
import { EditClock } from './reply.ts';
import { registerTelegramRoutes } from './routes.ts';
import { TelegramState } from './state.ts';
import { PollingLeader } from './polling-leader.ts';

export default definePlugin({
  name: 'telegram',
  version: '1.0.0',
  description: 'Telegram channel: a whitelisted bot (long polling or webhook) that talks to the agent, voice messages transcribed',
  setup(ctx) {
    const state = new TelegramState(ctx.store.plugin);
    const bot = new TelegramBot({ ctx, state, clock: new EditClock(), buttons: new ApprovalButtons(ctx) });
    const polling = new PollingLeader(ctx, bot);
    ctx.channels.register({
      id: 'telegram',
      start: () => polling.start(),
      stop: () => polling.stop(),
      status: () => bot.status(),
      notify: (user, text) => bot.notify(user, text),
    });
    registerTelegramRoutes(ctx, bot, state);
    ctx.onUnload(() => bot.stop());
  },
});
