/**
 * A streamed answer in Telegram: the first text is sent at once, then the same message is edited as tokens arrive —
 * at most one edit per second per chat (Telegram rate-limits edits) — and text beyond 4,096 characters continues in
 * further messages.
 */
import type { Logger } from '../../core/plugin-api/index.ts';
import { splitMessage } from './format.ts';

/** The few Bot API calls the chat needs (telegraf's `Telegram` has them). */
export interface ReplyApi {
  sendMessage(chatId: string, text: string, extra?: Record<string, unknown>): Promise<{ message_id: number }>;
  editMessageText(chatId: string, messageId: number, inlineMessageId: undefined, text: string, extra?: Record<string, unknown>): Promise<unknown>;
  sendChatAction(chatId: string, action: 'typing'): Promise<unknown>;
  sendAudio(chatId: string, audio: { source: string }): Promise<unknown>;
  /** `getFile`, then the file's download URL (voice messages). */
  getFileLink(fileId: string): Promise<URL>;
}

/** Minimum time between two edits in one chat. */
export const EDIT_INTERVAL_MS = 1000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** When each chat was last edited, shared by every reply so consecutive answers keep the spacing too. */
export class EditClock {
  private last = new Map<string, number>();
  constructor(private readonly intervalMs = EDIT_INTERVAL_MS) {}
  /** How long to wait before the next edit in `chatId`. */
  waitMs(chatId: string): number {
    return Math.max(0, (this.last.get(chatId) ?? 0) + this.intervalMs - Date.now());
  }
  mark(chatId: string): void {
    this.last.set(chatId, Date.now());
  }
}

/** Retry once after a Bot API 429 (`parameters.retry_after`), capped at 10 s. */
async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error: any) {
    if (error?.code !== 429) throw error;
    await sleep(Math.min(10, Number(error?.parameters?.retry_after ?? 1)) * 1000);
    return fn();
  }
}

/** One streamed answer (one "segment": an approval in between starts a new one below it). */
export class StreamingReply {
  private buffer = '';
  private readonly messages: Array<{ id: number; text: string } | undefined> = [];
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly api: ReplyApi,
    private readonly chatId: string,
    private readonly clock: EditClock,
    private readonly log: Logger,
  ) {}

  /** True once any text of this reply is visible in the chat. */
  get shown(): boolean {
    return this.messages.some(Boolean);
  }

  /** Add streamed text. */
  push(delta: string): void {
    if (this.closed || !delta) return;
    this.buffer += delta;
    if (this.timer) return;
    // The first message goes out at once (the user sees activity); later edits wait for the clock.
    const wait = this.shown ? this.clock.waitMs(this.chatId) : 0;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.busy = this.busy.then(() => this.sync()).catch((error) => this.log.warn({ err: { message: String(error?.message ?? error) } }, 'telegram: streaming update failed'));
    }, wait);
  }

  /** Show the complete text: `fallback` when nothing was streamed. Resolves when every piece is in the chat. */
  async finish(fallback?: string): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.buffer.trim() && fallback) this.buffer = fallback;
    await this.busy;
    await this.sync();
  }

  /** Bring the chat's messages in line with the buffer: edit changed pieces, send new ones. */
  private async sync(): Promise<void> {
    const pieces = splitMessage(this.buffer);
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      // Telegram trims messages and rejects empty ones: a blank piece waits for more text.
      if (!piece.trim()) continue;
      const msg = this.messages[i];
      if (!msg) {
        const sent = await withRetry(() => this.api.sendMessage(this.chatId, piece, { link_preview_options: { is_disabled: true } }));
        this.clock.mark(this.chatId); // the first edit of a new message waits a full interval too
        this.messages[i] = { id: sent.message_id, text: piece };
      } else if (msg.text.trim() !== piece.trim()) {
        await sleep(this.clock.waitMs(this.chatId));
        this.clock.mark(this.chatId);
        await withRetry(() => this.api.editMessageText(this.chatId, msg.id, undefined, piece, { link_preview_options: { is_disabled: true } }));
        msg.text = piece;
      }
    }
  }
}
