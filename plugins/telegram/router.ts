/**
 * Who gets an answer. Only chats on the whitelist are served; everything else is dropped without a reply (no
 * enumeration) and logged without its text. While the whitelist is empty the bot is in pairing mode: the one chat that
 * sends `/start <pairing code>` becomes the owner — never simply the first chat to write.
 */
import type { User } from '../../core/plugin-api/index.ts';
import type { ButtonApi } from './approvals.ts';
import { parseCommand, runCommand } from './commands.ts';
import { sameCode } from './state.ts';
import { consumeQuota, runTurn, type TurnDeps, type TurnInput } from './turn.ts';
import { NO_TRANSCRIBER, transcribeVoice, transcriberOf, type IncomingAudio } from './voice.ts';

/** The parts of a Telegram message the router reads. */
export interface IncomingMessage {
  chat: { id: number | string };
  from?: { id: number | string };
  text?: string;
  voice?: IncomingAudio;
  audio?: IncomingAudio;
}

/** The parts of a callback query the router reads. */
export interface IncomingCallback {
  id: string;
  from: { id: number | string };
  data?: string;
  message?: { chat: { id: number | string } };
}

/** Wrong pairing codes a chat may send before it is ignored (until restart). */
const MAX_PAIRING_FAILURES = 5;

export class TelegramRouter {
  /** One agent turn at a time per chat; commands do not wait (so /stop works during a turn). */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly pairingFailures = new Map<string, number>();

  constructor(private readonly deps: TurnDeps, private readonly signal: AbortSignal) {}

  /** The account a whitelisted chat acts as: its linked user, else the first admin. */
  private async userFor(chatId: string): Promise<User | undefined> {
    const linked = await this.deps.state.linkedUser(chatId);
    const user = linked ? await this.deps.ctx.auth.getUser(linked) : undefined;
    if (linked && !user) await this.deps.state.link(chatId, undefined); // the account is gone: back to the default
    return user ?? (await this.deps.ctx.auth.firstAdmin());
  }

  async onMessage(api: ButtonApi, msg: IncomingMessage): Promise<void> {
    const { ctx, state } = this.deps;
    const chatId = String(msg.chat.id);
    const allowed = await state.allowedIds();
    if (!allowed.includes(chatId)) {
      if (!allowed.length) return this.tryPairing(api, chatId, msg.text);
      ctx.log.info({ chatId, fromId: msg.from?.id }, 'telegram: message from a chat that is not whitelisted ignored');
      return;
    }
    const user = await this.userFor(chatId);
    if (!user) {
      await api.sendMessage(chatId, 'There is no AION account yet — create one in the web app first.');
      return;
    }
    const audio = msg.voice ?? msg.audio;
    if (audio && typeof msg.text !== 'string') return this.enqueueVoice(api, chatId, user, audio);
    if (typeof msg.text !== 'string' || !msg.text.trim()) {
      await api.sendMessage(chatId, 'Only text and voice messages are supported for now.');
      return;
    }
    const cmd = parseCommand(msg.text);
    if (cmd) return runCommand(this.deps, api, chatId, user, cmd);
    this.enqueue(api, chatId, user, msg.text);
  }

  /**
   * Turns of one chat run one after another. Not awaited: polling handles updates in batches, so a long turn must
   * not hold up the next update (a button press, /stop).
   */
  private enqueue(api: ButtonApi, chatId: string, user: User, input: TurnInput): void {
    this.chain(chatId, () => runTurn(this.deps, api, chatId, user, input, this.signal));
  }

  /** A voice message: counted, transcribed, then answered like text — in the chat's order, after earlier turns. */
  private enqueueVoice(api: ButtonApi, chatId: string, user: User, audio: IncomingAudio): void {
    this.chain(chatId, async () => {
      // Told at once, and not counted as a message, when nothing could transcribe it.
      if (!transcriberOf(this.deps.ctx)) return void (await api.sendMessage(chatId, NO_TRANSCRIBER));
      if (!(await consumeQuota(this.deps, api, chatId, user))) return;
      const transcript = await transcribeVoice(this.deps.ctx, api, chatId, audio, this.signal);
      if (transcript) await runTurn(this.deps, api, chatId, user, { transcript }, this.signal);
    });
  }

  private chain(chatId: string, job: () => Promise<void>): void {
    const { ctx } = this.deps;
    const previous = this.chains.get(chatId) ?? Promise.resolve();
    const next = previous
      .then(job)
      .catch((error) => ctx.log.error({ err: { message: String(error?.message ?? error) }, chatId }, 'telegram: answering failed'))
      .finally(() => {
        if (this.chains.get(chatId) === next) this.chains.delete(chatId);
      });
    this.chains.set(chatId, next);
  }

  /** Pairing mode: `/start CODE` with the right code makes this chat the owner; anything else is ignored. */
  private async tryPairing(api: ButtonApi, chatId: string, text: string | undefined): Promise<void> {
    const { ctx, state } = this.deps;
    const cmd = text ? parseCommand(text) : undefined;
    if (cmd?.name !== 'start' || !cmd.args) {
      ctx.log.info({ chatId }, 'telegram: message ignored (pairing mode: waiting for /start with the pairing code)');
      return;
    }
    const failures = this.pairingFailures.get(chatId) ?? 0;
    if (failures >= MAX_PAIRING_FAILURES) return;
    if (!sameCode(cmd.args, await state.pairingCode())) {
      this.pairingFailures.set(chatId, failures + 1);
      ctx.log.warn({ chatId, attempts: failures + 1 }, 'telegram: pairing attempt with a wrong code');
      return;
    }
    if (!(await state.pairOwner(chatId))) return;
    ctx.log.warn({ chatId }, 'telegram: chat paired as the owner');
    await api.sendMessage(chatId, 'Paired: this chat is now the owner of this AION bot.\nSend a message to talk to the agent, /help for commands.');
  }

  /** Inline buttons: whitelist-checked like messages, then handed to the approval buttons. */
  async onCallback(api: ButtonApi, cb: IncomingCallback): Promise<void> {
    const chatId = String(cb.message?.chat.id ?? cb.from.id);
    if (!(await this.deps.state.isAllowed(chatId))) {
      this.deps.ctx.log.info({ chatId, fromId: cb.from.id }, 'telegram: button press from a chat that is not whitelisted ignored');
      return;
    }
    const decision = await this.deps.buttons.press(api, chatId, cb.id, cb.data ?? '');
    if (decision) this.enqueue(api, chatId, decision.user, { approval: { id: decision.approvalId, approved: decision.approved } });
  }

  /** Wait for running turns (after the bot's signal aborted them). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.chains.values()]);
  }
}
