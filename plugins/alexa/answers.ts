/**
 * Asking the agent for Alexa within a time budget. Alexa waits about 8 s for a response, so after `budgetMs` the skill
 * says the answer will follow; the turn keeps running, and its answer is stored and spoken on the user's next turn.
 */
import { isAppError, type PluginContext, type User } from '../../core/plugin-api/index.ts';

/** Default budget: leaves Alexa's ~8 s limit some room for the network. */
export const DEFAULT_BUDGET_MS = 6_000;
/** A turn that left the budget still gets this long to finish in the background. */
const BACKGROUND_LIMIT_MS = 5 * 60_000;
/** Alexa's limit for `outputSpeech.text` is 8,000 characters. */
const MAX_SPEECH = 7_500;

const TIMEOUT = Symbol('timeout');

type Pending = { id: string; text: string; question: string; createdAt: number };

/** Shorten to what Alexa may speak. */
export function speakable(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length > MAX_SPEECH ? `${clean.slice(0, MAX_SPEECH)}…` : clean;
}

export class AlexaAnswers {
  /** Turns still running after their request answered, per user. */
  private readonly running = new Map<string, Promise<void>>();
  /** Alexa session → its conversation (a session is short; the map is bounded). */
  private readonly sessions = new Map<string, string>();

  constructor(private readonly ctx: PluginContext<any>, private readonly budgetMs: number) {}

  private pendingStore(user: User) {
    return this.ctx.store.forUser(user.id).collection<Pending>('alexa-pending');
  }

  /** Something to say first on this turn: a stored late answer, or that it is still coming. */
  async takePending(user: User): Promise<string | undefined> {
    if (this.running.has(user.id)) return 'I am still working on your earlier question. Ask me again in a moment.';
    const pending = await this.pendingStore(user).get('pending');
    if (!pending) return undefined;
    await this.pendingStore(user).delete('pending');
    return `Here is the answer to your earlier question, ${pending.question}: ${pending.text}`;
  }

  private async conversationFor(user: User, sessionId: string, locale: string): Promise<string> {
    const known = this.sessions.get(sessionId);
    if (known) return known;
    const c = await this.ctx.conversations.forUser(user.id).create({ title: 'Alexa', mode: 'aion', metadata: { channel: 'alexa', locale } });
    if (this.sessions.size >= 200) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(sessionId, c.id);
    return c.id;
  }

  /** Run the agent to the end and return its text. Approvals cannot be given by voice: they are denied. */
  private async collect(user: User, conversationId: string, command: string, locale: string): Promise<string> {
    let text = '';
    let denied = false;
    // The locale reaches the model as this turn's instruction, not as part of the saved message.
    const system = `This is a voice request through Alexa (locale ${locale}). Answer in the language of that locale, briefly, as plain speakable text without Markdown.`;
    for await (const ev of this.ctx.agent.run({ user, conversationId, message: command, channel: 'alexa', system, signal: AbortSignal.timeout(BACKGROUND_LIMIT_MS) })) {
      if (ev.type === 'text') text += ev.delta;
      else if (ev.type === 'approval') {
        denied = true;
        this.ctx.agent.approve(user, ev.id, false);
      } else if (ev.type === 'done') text = ev.text || text;
      else if (ev.type === 'error') return `Sorry, that did not work: ${ev.message}`;
    }
    const note = denied ? ' A tool needed your approval; approve it in the web app instead.' : '';
    return `${text.trim() || 'I have no answer to that.'}${note}`;
  }

  /** The spoken answer to `command`, or a "will follow" sentence when the agent needs longer than the budget. */
  async ask(user: User, command: string, locale: string, sessionId: string): Promise<string> {
    if (this.running.has(user.id)) return 'I am still working on your earlier question. Ask me again in a moment.';
    try {
      await this.ctx.auth.consumeChat(user);
    } catch (error) {
      if (isAppError(error) && error.status === 429) return 'You have reached your hourly message limit. Please try again later.';
      throw error;
    }
    const conversationId = await this.conversationFor(user, sessionId, locale);
    const work = this.collect(user, conversationId, command, locale).catch((error) => {
      this.ctx.log.error({ err: { message: String(error?.message ?? error) } }, 'alexa: agent turn failed');
      return isAppError(error) ? `Sorry, ${error.message}` : 'Sorry, something went wrong.';
    });
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([work, new Promise<typeof TIMEOUT>((r) => (timer = setTimeout(() => r(TIMEOUT), this.budgetMs)))]);
    clearTimeout(timer);
    if (result !== TIMEOUT) return speakable(result);
    const stored = work
      .then(async (text) => {
        // Deliver through another channel that reaches this user (Telegram) when there is one; else on the next turn.
        const delivered = await this.ctx.host.notify(user, `Your answer from Alexa — "${speakable(command).slice(0, 200)}":\n\n${text}`);
        if (delivered.length) {
          this.ctx.log.info({ userId: user.id, channels: delivered }, 'alexa: late answer delivered through another channel');
          return;
        }
        await this.pendingStore(user).put({ id: 'pending', text: speakable(text), question: speakable(command).slice(0, 200), createdAt: Date.now() });
        this.ctx.log.info({ userId: user.id }, 'alexa: late answer stored for the next turn');
      })
      .catch((error) => this.ctx.log.warn({ err: { message: String(error?.message ?? error) } }, 'alexa: storing a late answer failed'))
      .finally(() => this.running.delete(user.id));
    this.running.set(user.id, stored);
    return 'That takes a little longer. Ask me again in a moment and I will tell you the answer.';
  }

  /** Wait for background turns (unload). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }
}
