/**
 * Tool approvals as inline keyboards: the agent's `approval` event becomes a message with Approve / Deny buttons; the
 * button's callback answers the pending approval. Button data carries a short random key (callback data is limited to
 * 64 bytes), never the approval id itself.
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
   * Answer a button press from `chatId` (already whitelist-checked). A key from another chat, an unknown key or an
   * approval that already ended only gets "expired".
   */
  async press(api: ButtonApi, chatId: string, callbackId: string, data: string): Promise<void> {
    const m = DATA.exec(data);
    const entry = m ? this.pending.get(m[1]) : undefined;
    if (!m || !entry || entry.chatId !== chatId) {
      await api.answerCbQuery(callbackId, 'This request has expired.');
      return;
    }
    const approved = m[2] === 'y';
    const user = await this.ctx.auth.getUser(entry.userId);
    const ok = !!user && this.ctx.agent.approve(user, entry.approvalId, approved);
    this.pending.delete(m[1]);
    if (!ok) {
      await api.answerCbQuery(callbackId, 'This request has expired.');
      return;
    }
    await api.answerCbQuery(callbackId, approved ? 'Approved' : 'Denied');
    // Replace the buttons with the decision so the chat shows what happened.
    await api.editMessageText(chatId, entry.messageId, undefined, `${entry.text}\n→ ${approved ? 'approved' : 'denied'}`).catch(() => undefined);
  }

  /** Drop the buttons of a finished turn (their approvals cannot be answered any more). */
  forget(approvalIds: Iterable<string>): void {
    const ids = new Set(approvalIds);
    for (const [key, p] of this.pending) if (ids.has(p.approvalId)) this.pending.delete(key);
  }
}
