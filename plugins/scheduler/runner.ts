/**
 * Runs due schedules. Each tick looks at every user's enabled schedules; a due one is first claimed — `lastRun` and the
 * following `nextRun` written to disk — and only then run, so a crash or restart never runs the same due time twice.
 * With several instances, each due time is also claimed through `ctx.cluster.once`, so exactly one instance runs it.
 * A run is a normal agent turn of the owner in the schedule's own conversation; its outcome is stored, sent to the
 * owner's Telegram chat (when linked) and pushed as a `proactive` event.
 */
import type { AgentEvent, PluginContext, User } from '../../core/plugin-api/index.ts';
import { nextDue, type Schedule } from './schedule.ts';
import { zoneOf, type Settings } from './settings.ts';
import { SCHEDULES, schedulesOf } from './data.ts';

const RESULT_CHARS = 4000;

export class ScheduleRunner {
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private readonly running = new Map<string, AbortController>();
  private stopped = false;

  constructor(private readonly ctx: PluginContext<Settings>) {}

  start(): void {
    if (this.stopped) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => void this.tick(), this.ctx.settings.get().tick_ms).unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const c of this.running.values()) c.abort(new Error('scheduler unloaded'));
  }

  /** Runs left `running` by a crash are marked interrupted (they are not repeated). */
  async recover(): Promise<void> {
    for (const userId of await this.ctx.store.usersWith(SCHEDULES)) {
      const coll = schedulesOf(this.ctx, userId);
      for (const s of await coll.all()) {
        if (s.lastStatus === 'running') await coll.update(s.id, { lastStatus: 'interrupted' });
      }
    }
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      const now = Date.now();
      for (const userId of await this.ctx.store.usersWith(SCHEDULES)) {
        for (const s of await schedulesOf(this.ctx, userId).snapshot()) {
          if (!s.enabled || s.nextRun === null || s.nextRun > now || this.running.has(s.id)) continue;
          // Several instances tick over the same schedules: only the one that claims this due time runs it.
          if (await this.ctx.cluster.once(`due:${s.id}`, s.nextRun)) await this.claimAndRun(userId, s.id, now);
        }
      }
    } catch (error) {
      this.ctx.log.warn({ error: String((error as Error)?.message ?? error) }, 'scheduler tick failed');
    } finally {
      this.ticking = false;
    }
  }

  /** Claim (persist lastRun + nextRun) then run in the background. */
  private async claimAndRun(userId: string, id: string, now: number): Promise<void> {
    const timezone = zoneOf(this.ctx.settings.get());
    const claimed = await schedulesOf(this.ctx, userId).update(id, (s) => ({
      ...s, lastRun: now, nextRun: nextDue(s, Math.max(now, s.nextRun ?? now), timezone), lastStatus: 'running', runs: s.runs + 1,
    }));
    if (claimed) void this.execute(userId, claimed);
  }

  /** "Run now": claims like a due run (the regular next due time is kept). */
  async runNow(userId: string, id: string): Promise<Schedule | undefined> {
    if (this.running.has(id)) return undefined;
    const claimed = await schedulesOf(this.ctx, userId).update(id, (s) => ({ ...s, lastRun: Date.now(), lastStatus: 'running', runs: s.runs + 1 }));
    if (claimed) void this.execute(userId, claimed);
    return claimed;
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  private async execute(userId: string, s: Schedule): Promise<void> {
    const controller = new AbortController();
    this.running.set(s.id, controller);
    const timeout = setTimeout(() => controller.abort(new Error('scheduled run timed out')), this.ctx.settings.get().run_timeout_ms);
    let outcome: { ok: boolean; text: string };
    const user = await this.ctx.auth.getUser(userId);
    try {
      if (!user) throw new Error('owner account no longer exists');
      await this.ctx.auth.consumeChat(user); // a scheduled run counts like a message (429 → stored as the error)
      outcome = await this.turn(user, s, controller.signal);
    } catch (error) {
      outcome = { ok: false, text: String((error as Error)?.message ?? error) };
    } finally {
      clearTimeout(timeout);
      this.running.delete(s.id);
    }
    await schedulesOf(this.ctx, userId).update(s.id, (cur) => ({
      ...cur,
      lastStatus: outcome.ok ? 'ok' : 'error',
      lastResult: outcome.ok ? outcome.text.slice(0, RESULT_CHARS) : cur.lastResult,
      lastError: outcome.ok ? undefined : outcome.text.slice(0, 500),
    })).catch((error) => this.ctx.log.warn({ error: String(error) }, 'scheduler: outcome not stored'));
    if (user && !this.stopped) await this.deliver(user, s, outcome);
  }

  private async turn(user: User, s: Schedule, signal: AbortSignal): Promise<{ ok: boolean; text: string }> {
    const when = s.mode === 'interval' ? `every ${s.interval}` : `at ${s.time} (${s.days}, ${zoneOf(this.ctx.settings.get())})`;
    const events: AsyncIterable<AgentEvent> = this.ctx.agent.run({
      user, conversationId: s.conversationId, message: s.task, signal, channel: 'scheduler',
      system: `This is the scheduled task "${s.name}", run automatically ${when}. Nobody is watching this turn: do the task and answer with its result.`,
    });
    let text = '';
    for await (const e of events) {
      if (e.type === 'text') text += e.delta;
      else if (e.type === 'done') return e.stopReason === 'aborted' ? { ok: false, text: 'the run was stopped' } : { ok: true, text: e.text || text };
      else if (e.type === 'error') return { ok: false, text: e.message };
    }
    return { ok: false, text: 'the run ended without an answer' };
  }

  private async deliver(user: User, s: Schedule, outcome: { ok: boolean; text: string }): Promise<void> {
    const text = outcome.ok ? `⏰ ${s.name}\n\n${outcome.text}` : `❌ Scheduled task "${s.name}" failed: ${outcome.text}`;
    const delivered = await this.ctx.host.notify(user, text).catch(() => [] as string[]);
    this.ctx.events.publish(user.id, {
      type: 'proactive', source: 'scheduler', text, ok: outcome.ok, scheduleId: s.id, name: s.name, conversationId: s.conversationId, delivered,
    });
  }
}
