/**
 * Bot commands of whitelisted chats: /start, /help, /new, /model [NAME], /stop, /link CODE.
 */
import { acceptsModel, type User } from '../../core/plugin-api/index.ts';
import { escapeMarkdownV2, escapeMarkdownV2Code } from './format.ts';
import type { ReplyApi } from './reply.ts';
import { chatConversation, type TurnDeps } from './turn.ts';

/** A parsed `/command args` (`/cmd@BotName` too). */
export interface Command {
  name: string;
  args: string;
}

const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/;
export const COMMANDS = new Set(['start', 'help', 'new', 'model', 'stop', 'link']);

/** The command in a message, if it is one of ours (other slash lines go to the agent, e.g. `/tool …`). */
export function parseCommand(text: string): Command | undefined {
  const m = COMMAND.exec(text.trim());
  if (!m || !COMMANDS.has(m[1].toLowerCase())) return undefined;
  return { name: m[1].toLowerCase(), args: (m[2] ?? '').trim() };
}

const HELP = [
  'AION is ready. Send a message to talk to the agent.',
  '/new — start a new conversation',
  '/model — show the active model (/model NAME switches it, admins only)',
  '/stop — cancel the running answer',
  '/link CODE — act as your own AION account (get the code in the web app)',
].join('\n');

async function modelCommand(deps: TurnDeps, api: ReplyApi, chatId: string, user: User, name: string): Promise<void> {
  const { ctx } = deps;
  if (!name) {
    const active = ctx.host.activeModel();
    await api.sendMessage(chatId, `Active model: \`${escapeMarkdownV2Code(active.model)}\` ${escapeMarkdownV2(`(${active.provider})`)}`, { parse_mode: 'MarkdownV2' });
    return;
  }
  if (!user.isAdmin) {
    await api.sendMessage(chatId, 'Only an admin can switch the model.');
    return;
  }
  const provider = ctx.host.providerForModel(name);
  if (!provider || !acceptsModel(provider, name)) {
    await api.sendMessage(chatId, `Unknown model: ${name}`);
    return;
  }
  await ctx.host.settings.set({ provider: provider.id, model: name });
  const note = provider.isConfigured() ? '' : ' — note: this provider has no API key yet';
  await api.sendMessage(chatId, `Switched to ${name} (${provider.id})${note}.`);
}

/** Run one command for a whitelisted chat acting as `user`. */
export async function runCommand(deps: TurnDeps, api: ReplyApi, chatId: string, user: User, cmd: Command): Promise<void> {
  const { ctx, state } = deps;
  switch (cmd.name) {
    case 'start':
    case 'help':
      await api.sendMessage(chatId, HELP);
      return;
    case 'new':
      await chatConversation(deps, chatId, user, true);
      await api.sendMessage(chatId, 'Started a new conversation.');
      return;
    case 'model':
      await modelCommand(deps, api, chatId, user, cmd.args);
      return;
    case 'stop': {
      // The turn may run on another instance (the web app's, on a cluster): stop and count them everywhere.
      const stopped = await ctx.agent.stopEverywhere(user.id);
      await api.sendMessage(chatId, stopped > 0 ? 'Stopped.' : 'Nothing is running.');
      return;
    }
    case 'link': {
      const userId = cmd.args ? await state.redeemLinkCode(cmd.args) : undefined;
      const target = userId ? await ctx.auth.getUser(userId) : undefined;
      if (!target) {
        await api.sendMessage(chatId, 'That link code is invalid or has expired. Create a new one in the web app.');
        return;
      }
      await state.link(chatId, target.id);
      ctx.log.info({ chatId, userId: target.id }, 'telegram: chat linked to an account');
      await api.sendMessage(chatId, `This chat now acts as ${target.displayName ? `${target.displayName} (${target.email})` : target.email}.`);
    }
  }
}
