/**
 * One chat message → one agent turn: quota, the chat's conversation, the streamed reply, approval buttons, errors.
 */
import { isAppError, type AgentEvent, type PluginContext, type User } from '../../core/plugin-api/index.ts';
import type { ApprovalButtons } from './approvals.ts';
import { type EditClock, type ReplyApi, StreamingReply } from './reply.ts';
import type { TelegramState } from './state.ts';

export interface TurnDeps {
  ctx: PluginContext<any>;
  state: TelegramState;
  clock: EditClock;
  buttons: ApprovalButtons;
}

/** The chat's conversation for `user`, made on first use (each chat has its own). */
export async function chatConversation(deps: TurnDeps, chatId: string, user: User, fresh = false): Promise<string> {
  const conversations = deps.ctx.conversations.forUser(user.id);
  const known = fresh ? undefined : await deps.state.conversation(chatId, user.id);
  if (known && (await conversations.has(known))) return known;
  const created = await conversations.create({ title: 'Telegram', mode: 'aion', metadata: { channel: 'telegram', chatId } });
  await deps.state.setConversation(chatId, user.id, created.id);
  return created.id;
}

/**
 * Spoken replies: when a speech plugin attached audio to the turn (setting `tts_engine`), upload it to the chat. The
 * audio URL is on this server, which Telegram cannot fetch, so the file itself is sent.
 */
async function sendVoiceIfAny(deps: TurnDeps, api: ReplyApi, chatId: string, done: Extract<AgentEvent, { type: 'done' }>): Promise<void> {
  for (const m of done.media ?? []) {
    if (m.type !== 'audio' || !m.file) continue;
    await api.sendAudio(chatId, { source: m.file }).catch((error: unknown) =>
      deps.ctx.log.warn({ error: String((error as Error)?.message ?? error) }, 'telegram: could not send the spoken reply'),
    );
  }
}

/**
 * What starts a turn: a text message; a button's answer to a parked approval (not counted as a new message); or the
 * transcript of a voice message (counted before it was transcribed).
 */
export type TurnInput = string | { approval: { id: string; approved: boolean } } | { transcript: string };

/** Count one message against the plan's hourly limit; false (and the chat told) when it is reached. */
export async function consumeQuota(deps: TurnDeps, api: ReplyApi, chatId: string, user: User): Promise<boolean> {
  try {
    await deps.ctx.auth.consumeChat(user);
    return true;
  } catch (error) {
    if (isAppError(error) && error.status === 429) {
      const minutes = Math.max(1, Math.ceil(Number(error.headers?.['Retry-After'] ?? 60) / 60));
      await api.sendMessage(chatId, `You have reached your plan's hourly message limit. Please try again in about ${minutes} minute${minutes === 1 ? '' : 's'}.`);
      return false;
    }
    throw error;
  }
}

/** Run the agent for one text message of `chatId` (or continue a parked turn) and answer in the chat. */
export async function runTurn(deps: TurnDeps, api: ReplyApi, chatId: string, user: User, input: TurnInput, signal: AbortSignal): Promise<void> {
  const { ctx } = deps;
  const text = typeof input === 'string' ? input : 'transcript' in input ? input.transcript : '';
  const approval = typeof input === 'object' && 'approval' in input ? input.approval : undefined;
  if (typeof input === 'string' && !(await consumeQuota(deps, api, chatId, user))) return;
  const conversationId = await chatConversation(deps, chatId, user);
  api.sendChatAction(chatId, 'typing').catch(() => undefined); // cosmetic: never blocks or fails a turn
  let reply = new StreamingReply(api, chatId, deps.clock, ctx.log);
  let shown = false;
  try {
    for await (const ev of ctx.agent.run({ user, conversationId, message: text, approval, signal, channel: 'telegram' })) {
      if (ev.type === 'text') reply.push(ev.delta);
      else if (ev.type === 'approval') {
        // Text so far stays above the buttons; the turn parks, and the answer continues it in a new message below.
        await reply.finish();
        shown ||= reply.shown;
        reply = new StreamingReply(api, chatId, deps.clock, ctx.log);
        await deps.buttons.offer(api, chatId, user, ev);
      } else if (ev.type === 'done') {
        const parked = ev.approvalPending === true;
        await reply.finish(shown || parked ? undefined : ev.text || (ev.stopReason === 'aborted' ? '(stopped)' : '(no answer)'));
        await sendVoiceIfAny(deps, api, chatId, ev);
      } else if (ev.type === 'error') {
        await reply.finish();
        await api.sendMessage(chatId, `⚠️ ${ev.message}`);
      }
    }
  } catch (error: any) {
    await reply.finish().catch(() => undefined);
    if (signal.aborted) return;
    // Errors before the first event (unknown model, bad input) are AppErrors with a safe message.
    const message = isAppError(error) ? error.message : 'Something went wrong while answering.';
    if (!isAppError(error)) ctx.log.error({ err: { message: String(error?.message ?? error) } }, 'telegram: agent turn failed');
    await api.sendMessage(chatId, `⚠️ ${message}`).catch(() => undefined);
  }
}
