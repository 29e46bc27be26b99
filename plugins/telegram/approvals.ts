/**
 * Tool approvals as inline keyboards: the agent's `approval` event (the turn then parks) becomes a message with
 * Approve / Deny buttons; a press answers that parked call and the router continues the turn in the chat. Typing
 * "ja" / "nein" answers it too (the agent handles those words). Button data carries a short random key (callback data
 * is limited to 64 bytes), never the approval id itself.
 */
import { randomBytes } from 'node:crypto';
import type { AgentEvent, PluginContext, User } from '../../core/plugin-api/index.ts';
import type { ReplyApi } from './reply.ts';

/** Bot API calls the buttons need on top of sending. */
export interface ButtonApi extends ReplyApi {
  answerCbQuery(callbackQueryId: string, text?: string): Promise<unknown>;
}

type ApprovalEvent = Extract<AgentEvent, { type: 'approval' }>;

interface Pending {
  approvalId: string;
  userId: string;
  chatId: string;
  messageId: number;
  text: string;
}

const DATA = /^ap:([A-Za-z0-9_-]{8,16}):([yn])$/;

export class ApprovalButtons {
  private readonly pending = new Map<string, Pending>();
  constructor(private readonly ctx: PluginContext<any>) {}

  /** Show an approval with its two buttons in `chatId`. */
  async offer(api: ReplyApi, chatId: string, user: User, ev: ApprovalEvent): Promise<void> {
    // Buttons of calls that were answered another way (typed "ja", expired) are dropped here.
    for (const [k, p] of this.pending) if (!this.ctx.agent.isPending(p.userId, p.approvalId)) this.pending.delete(k);
    const key = randomBytes(9).toString('base64url');
    let args = JSON.stringify(ev.args ?? {});
    if (args.length > 500) args = `${args.slice(0, 500)}…`;
    const text = `🔐 ${ev.message}\n${ev.name} ${args}`;
    const sent = await api.sendMessage(chatId, text, {
      reply_markup: { inline_keyboard: [[{ text: '✅ Approve', callback_data: `ap:${key}:y` }, { text: '❌ Deny', callback_data: `ap:${key}:n` }]] },
    });
    this.pending.set(key, { approvalId: ev.id, userId: user.id, chatId, messageId: sent.message_id, text });
  }

  /**
   * A button press from `chatId` (already whitelist-checked) → the decision for the router to continue the turn with.
   * A key from another chat, an unknown key or an approval that is no longer parked only gets "expired".
   */
  async press(api: ButtonApi, chatId: string, callbackId: string, data: string): Promise<{ user: User; approvalId: string; approved: boolean } | undefined> {
    const m = DATA.exec(data);
    const entry = m ? this.pending.get(m[1]) : undefined;
    if (!m || !entry || entry.chatId !== chatId) {
      await api.answerCbQuery(callbackId, 'This request has expired.');
      return undefined;
    }
    this.pending.delete(m[1]);
    const approved = m[2] === 'y';
    const user = await this.ctx.auth.getUser(entry.userId);
    if (!user || !this.ctx.agent.isPending(user.id, entry.approvalId)) {
      await api.answerCbQuery(callbackId, 'This request has expired.');
      return undefined;
    }
    await api.answerCbQuery(callbackId, approved ? 'Approved' : 'Denied');
    // Replace the buttons with the decision so the chat shows what happened.
    await api.editMessageText(chatId, entry.messageId, undefined, `${entry.text}\n→ ${approved ? 'approved' : 'denied'}`).catch(() => undefined);
    return { user, approvalId: entry.approvalId, approved };
  }
}
