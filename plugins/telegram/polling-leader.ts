/**
 * Exactly one instance long-polls the bot (Telegram refuses a second `getUpdates` consumer): the bot runs on the
 * instance that leads the `polling` lease of `ctx.cluster` and stops when it loses it; another instance takes over
 * within seconds when the leader dies. A webhook (`TELEGRAM_WEBHOOK_URL`) is accepted by every instance, so every
 * instance starts the bot then (with one `TELEGRAM_WEBHOOK_SECRET` for all). A restart asked on a follower (a new
 * token saved there) is passed to the leader.
 */
import type { ClusterLease, PluginContext } from '../../core/plugin-api/index.ts';
import type { TelegramBot } from './bot.ts';

export class PollingLeader {
  private lease: ClusterLease | undefined;
  private readonly restartHere: () => Promise<void>;

  constructor(private readonly ctx: PluginContext<any>, private readonly bot: TelegramBot) {
    this.restartHere = bot.restart.bind(bot);
    bot.restart = () => this.restart();
    ctx.cluster.subscribe('restart', () => (this.lease?.isLeader() ? this.restartHere() : undefined));
  }

  private get webhook(): boolean {
    return !!process.env.TELEGRAM_WEBHOOK_URL?.trim();
  }

  async start(): Promise<void> {
    if (this.webhook || !this.ctx.cluster.shared) return this.bot.start(); // one instance: as before, no lease
    this.lease ??= this.ctx.cluster.lead('polling', { onLead: () => this.bot.start(), onLose: () => this.bot.stop() });
  }

  async stop(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    await lease?.release();
    await this.bot.stop();
  }

  private async restart(): Promise<void> {
    if (this.webhook || !this.ctx.cluster.shared || this.lease?.isLeader()) return this.restartHere();
    await this.ctx.cluster.publish('restart');
  }
}
