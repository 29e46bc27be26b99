/**
 * Asking the agent for Alexa within a time budget. Alexa waits about 8 s for a response, so after `budgetMs` the skill
 * says the answer will follow; the turn keeps running, and its answer is stored and spoken on the user's next turn.
 * A tool that needs approval is read out with a question; the next "yes"/"ja" or "no"/"nein" answers it.
 */
import { isAppError, type PluginContext, type User } from '../../core/plugin-api/index.ts';

/** Default budget: leaves Alexa's ~8 s limit some room for the network. */
export const DEFAULT_BUDGET_MS = 6_000;
/** A turn that left the budget still gets this long to finish in the background. */
const BACKGROUND_LIMIT_MS = 5 * 60_000;
/** Alexa's limit for `outputSpeech.text` is 8,000 characters. */
const MAX_SPEECH = 7_500;

const TIMEOUT = Symbol('timeout');
const STILL_WORKING = 'I am still working on your earlier question. Ask me again in a moment.';
/** How a parked approval is put to the user; `confirm` takes the answer. */
export const TEXT_CONFIRM = 'Shall I do that? Say yes to allow it, or no to refuse.';

/** "The tool credential read needs your approval (service mailbox). Shall I do that? Say yes …" */
export function approvalQuestion(name: string, args: Record<string, unknown>): string {
  const details = Object.entries(args ?? {})
    .map(([k, v]) => `${k.replace(/_/g, ' ')} ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
  const shown = details.length > 200 ? `${details.slice(0, 200)}…` : details;
  return `The tool ${name.replace(/_/g, ' ')} needs your approval${shown ? ` (${shown})` : ''}. ${TEXT_CONFIRM}`;
}

/** What the skill says, and whether it waits for a yes or no (the session stays open then). */
export interface Spoken {
  text: string;
  confirming: boolean;
}

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
  /** The approval each user was last asked to confirm by voice (the parked turn holds the rest). */
  private readonly awaiting = new Map<string, { conversationId: string; approvalId: string }>();

  constructor(private readonly ctx: PluginContext<any>, private readonly budgetMs: number) {}

  private pendingStore(user: User) {
    return this.ctx.store.forUser(user.id).collection<Pending>('alexa-pending');
  }

  /** Something to say first on this turn: a stored late answer, or that it is still coming. */
  async takePending(user: User): Promise<string | undefined> {
    if (this.running.has(user.id)) return STILL_WORKING;
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

  /**
   * Run the agent to the end and return what to say. A tool that needs approval parks the turn (as on every channel):
   * Alexa then reads the request out and asks for a spoken yes or no, answered by `confirm` on the next utterance.
   */
  private async collect(user: User, conversationId: string, locale: string, input: { message: string } | { approval: { id: string; approved: boolean } }): Promise<Spoken> {
    let text = '';
    let asked: { id: string; message: string; name: string; args: Record<string, unknown> } | undefined;
    // The locale reaches the model as this turn's instruction, not as part of the saved message.
    const system = `This is a voice request through Alexa (locale ${locale}). Answer in the language of that locale, briefly, as plain speakable text without Markdown.`;
    const run = { user, conversationId, channel: 'alexa', system, signal: AbortSignal.timeout(BACKGROUND_LIMIT_MS) };
    const events = 'approval' in input ? this.ctx.agent.run({ ...run, message: '', approval: input.approval }) : this.ctx.agent.run({ ...run, message: input.message });
    for await (const ev of events) {
      if (ev.type === 'text') text += ev.delta;
      else if (ev.type === 'approval') asked = { id: ev.id, message: ev.message, name: ev.name, args: ev.args };
      else if (ev.type === 'done') text = ev.approvalPending ? text : ev.text || text;
      else if (ev.type === 'error') return { text: `Sorry, that did not work: ${ev.message}`, confirming: false };
    }
    if (asked) {
      this.awaiting.set(user.id, { conversationId, approvalId: asked.id });
      // The approval's written question (with its "ja"/"yes" hint and JSON) may be streamed as text too: the spoken
      // question replaces it.
      const said = text.replace(asked.message, '').trim();
      return { text: `${said ? `${said} ` : ''}${approvalQuestion(asked.name, asked.args)}`, confirming: true };
    }
    return { text: text.trim() || 'I have no answer to that.', confirming: false };
  }

  /**
   * A spoken yes or no: answers this user's parked approval and continues that turn. Nothing waiting (or it expired:
   * parked approvals are denied after the approval timeout) → says so.
   */
  async confirm(user: User, approved: boolean, locale: string): Promise<Spoken> {
    const waiting = this.awaiting.get(user.id);
    this.awaiting.delete(user.id);
    if (!waiting || !this.ctx.agent.isPending(user.id, waiting.approvalId)) return { text: 'There is nothing waiting for your confirmation.', confirming: false };
    return this.within(user, 'your confirmation', () => this.collect(user, waiting.conversationId, locale, { approval: { id: waiting.approvalId, approved } }));
  }

  /** True when this user has a parked approval that a yes or no would answer. */
  awaitsConfirmation(user: User): boolean {
    const waiting = this.awaiting.get(user.id);
    return !!waiting && this.ctx.agent.isPending(user.id, waiting.approvalId);
  }

  /** The spoken answer to `command`, or a "will follow" sentence when the agent needs longer than the budget. */
  async ask(user: User, command: string, locale: string, sessionId: string): Promise<Spoken> {
    if (this.running.has(user.id)) return { text: STILL_WORKING, confirming: false };
    try {
      await this.ctx.auth.consumeChat(user);
    } catch (error) {
      if (isAppError(error) && error.status === 429) return { text: 'You have reached your hourly message limit. Please try again later.', confirming: false };
      throw error;
    }
    const conversationId = await this.conversationFor(user, sessionId, locale);
    this.awaiting.delete(user.id); // a new request leaves an older question unanswered (it expires, denied)
    return this.within(user, command, () => this.collect(user, conversationId, locale, { message: command }));
  }

  /** Run `work` within the budget; past it, the answer is delivered later (another channel, or the next turn). */
  private async within(user: User, question: string, turn: () => Promise<Spoken>): Promise<Spoken> {
    if (this.running.has(user.id)) return { text: STILL_WORKING, confirming: false };
    const work = turn().catch((error): Spoken => {
      this.ctx.log.error({ err: { message: String(error?.message ?? error) } }, 'alexa: agent turn failed');
      return { text: isAppError(error) ? `Sorry, ${error.message}` : 'Sorry, something went wrong.', confirming: false };
    });
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([work, new Promise<typeof TIMEOUT>((r) => (timer = setTimeout(() => r(TIMEOUT), this.budgetMs)))]);
    clearTimeout(timer);
    if (result !== TIMEOUT) return { ...result, text: speakable(result.text) };
    const stored = work
      .then(async ({ text }) => {
        // Deliver through another channel that reaches this user (Telegram) when there is one; else on the next turn.
        const delivered = await this.ctx.host.notify(user, `Your answer from Alexa — "${speakable(question).slice(0, 200)}":\n\n${text}`);
        if (delivered.length) {
          this.ctx.log.info({ userId: user.id, channels: delivered }, 'alexa: late answer delivered through another channel');
          return;
        }
        await this.pendingStore(user).put({ id: 'pending', text: speakable(text), question: speakable(question).slice(0, 200), createdAt: Date.now() });
        this.ctx.log.info({ userId: user.id }, 'alexa: late answer stored for the next turn');
      })
      .catch((error) => this.ctx.log.warn({ err: { message: String(error?.message ?? error) } }, 'alexa: storing a late answer failed'))
      .finally(() => this.running.delete(user.id));
    this.running.set(user.id, stored);
    return { text: 'That takes a little longer. Ask me again in a moment and I will tell you the answer.', confirming: false };
  }

  /** Wait for background turns (unload). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }
}
