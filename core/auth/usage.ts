/**
 * Chat quota and token usage per user. The rolling-hour message times and tokens per day are kept in memory and
 * persisted in the user's `usage` document, so a restart does not reset a free user's hour. With several instances on
 * one database (`shared`) they are counted in PostgreSQL instead (`core/cluster/pg-usage.ts`), once for all instances.
 */
import type { Context } from 'koa';
import type { QuotaStatus, User } from '../plugin-api/types.ts';
import { tooMany } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { limitsFor } from './plans.ts';
import { KeyedSerialQueue } from '../plugin-api/serial.ts';

const HOUR = 3_600_000;

interface UsageDoc {
  id: 'usage';
  chatTimes: number[];
  tokensByDay: Record<string, number>;
}

const today = () => new Date().toISOString().slice(0, 10);

/** Counters kept where every instance counts (PostgreSQL): check-and-count is atomic across instances. */
export interface SharedUsage {
  /** Count one message unless `limit` messages fall in the last hour; the hour's times (including the new one). */
  consumeChat(userId: string, limit: number | null, now: number): Promise<{ allowed: boolean; times: number[] }>;
  chatTimes(userId: string, now: number): Promise<number[]>;
  addTokens(userId: string, day: string, tokens: number): Promise<void>;
  tokensByDay(userId: string): Promise<Record<string, number>>;
}

export class UsageTracker {
  private docs = new Map<string, UsageDoc>();
  /** Loads in flight, one per user (see `doc`). */
  private readonly loading = new Map<string, Promise<UsageDoc>>();
  /** Serialises check-and-count per user so concurrent requests cannot both take the last slot. */
  private readonly perUser = new KeyedSerialQueue();

  constructor(private readonly store: Store, private readonly shared?: SharedUsage) {}

  /** Shared mode: this instance's view of the user's hour, refreshed from every instance's counts. */
  private async sharedDoc(userId: string, times: number[]): Promise<UsageDoc> {
    const d = this.docs.get(userId) ?? { id: 'usage' as const, chatTimes: [], tokensByDay: {} };
    d.chatTimes = times;
    this.docs.set(userId, d);
    return d;
  }

  /**
   * The user's usage document, loaded once. Calls that arrive while it loads (right after a restart: a quota check,
   * a count and a token add of parallel requests) wait for the same load: each loading a copy of its own and setting
   * it would leave a count or tokens in a copy the next load replaced, lost from the quota and from disk.
   */
  private doc(userId: string): Promise<UsageDoc> {
    const d = this.docs.get(userId);
    if (d) return Promise.resolve(d);
    let pending = this.loading.get(userId);
    if (!pending) {
      pending = this.load(userId).finally(() => this.loading.delete(userId));
      this.loading.set(userId, pending);
    }
    return pending;
  }

  private async load(userId: string): Promise<UsageDoc> {
    const stored = await this.store.forUser(userId).collection<UsageDoc>('usage').get('usage');
    const d = this.docs.get(userId) ?? stored ?? { id: 'usage' as const, chatTimes: [], tokensByDay: {} };
    this.docs.set(userId, d);
    return d;
  }

  private save(userId: string, d: UsageDoc): Promise<unknown> {
    return this.store.forUser(userId).collection<UsageDoc>('usage').put(d);
  }

  private status(user: User, d: UsageDoc | undefined, now = Date.now()): QuotaStatus {
    const limit = limitsFor(user).messagesPerHour;
    if (limit === null) return { limited: false, limit: -1, remaining: -1, resetAt: 0 };
    const all = d?.chatTimes ?? [];
    // Times are in arrival order: the last hour is a suffix, found without copying the list (it grows with traffic).
    const from = firstWithinHour(all, now);
    const count = all.length - from;
    const oldest = count ? all[Math.max(from, all.length - limit)] : now;
    return {
      limited: true,
      limit,
      remaining: Math.max(0, limit - count),
      resetAt: Math.ceil((oldest + HOUR) / 1000),
    };
  }

  /** The quota now, without counting (synchronous: uses what is loaded). */
  quota(user: User): QuotaStatus {
    return this.status(user, this.docs.get(user.id));
  }

  /** Count one chat message; 429 when the plan's hour is full. */
  consume(user: User): Promise<QuotaStatus> {
    if (this.shared) return this.consumeShared(user, this.shared);
    const run = async () => {
      const d = await this.doc(user.id);
      const now = Date.now();
      const expired = firstWithinHour(d.chatTimes, now);
      if (expired) d.chatTimes.splice(0, expired);
      const before = this.status(user, d, now);
      if (before.limited && before.remaining <= 0) throw limitReached(user, before, now);
      d.chatTimes.push(now);
      // Only a limited plan needs its hour on disk before answering (so a restart cannot reset it).
      if (before.limited) await this.save(user.id, d);
      else this.saveSoon(user.id);
      return this.status(user, d, now);
    };
    return this.perUser.run(user.id, run);
  }

  private async consumeShared(user: User, shared: SharedUsage): Promise<QuotaStatus> {
    const now = Date.now();
    const { allowed, times } = await shared.consumeChat(user.id, limitsFor(user).messagesPerHour, now);
    const status = this.status(user, await this.sharedDoc(user.id, times), now);
    if (!allowed) throw limitReached(user, status, now);
    return status;
  }

  /** Add tokens to today's count. Written within a second, off the response path (statistics, not quota). */
  async addTokens(userId: string, tokens: number): Promise<void> {
    if (!tokens) return;
    if (this.shared) return this.shared.addTokens(userId, today(), tokens);
    const d = await this.doc(userId);
    const day = today();
    d.tokensByDay[day] = (d.tokensByDay[day] ?? 0) + tokens;
    this.saveSoon(userId);
  }

  private pendingSaves = new Map<string, NodeJS.Timeout>();

  private saveSoon(userId: string): void {
    if (this.pendingSaves.has(userId)) return;
    const timer = setTimeout(() => {
      this.pendingSaves.delete(userId);
      const d = this.docs.get(userId);
      if (d) void this.save(userId, d).catch(() => {});
    }, 1000);
    timer.unref();
    this.pendingSaves.set(userId, timer);
  }

  /** Write what is pending now (shutdown). */
  async flush(): Promise<void> {
    const ids = [...this.pendingSaves.keys()];
    for (const id of ids) clearTimeout(this.pendingSaves.get(id));
    this.pendingSaves.clear();
    await Promise.all(ids.map((id) => this.docs.get(id) && this.save(id, this.docs.get(id)!)));
  }

  async usage(user: User) {
    const d = this.shared ? await this.sharedDoc(user.id, await this.shared.chatTimes(user.id, Date.now())) : await this.doc(user.id);
    if (this.shared) d.tokensByDay = await this.shared.tokensByDay(user.id);
    const now = Date.now();
    const q = this.status(user, d, now);
    return {
      // A suffix of the ascending times (binary search): this runs before every ALIN chat message.
      messagesThisHour: d.chatTimes.length - firstWithinHour(d.chatTimes, now),
      messagesLimit: q.limited ? q.limit : null,
      messagesRemaining: q.limited ? q.remaining : null,
      tokensToday: d.tokensByDay[today()] ?? 0,
      tokensByDay: { ...d.tokensByDay },
    };
  }

  /** Load a user's usage so `quota()` is exact. */
  async warm(userId: string): Promise<void> {
    if (this.shared) await this.sharedDoc(userId, await this.shared.chatTimes(userId, Date.now()));
    else await this.doc(userId);
  }
}

/** Index of the first time within the last hour of `now` in ascending `times` (binary search). */
function firstWithinHour(times: number[], now: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] > now - HOUR) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function limitReached(user: User, status: QuotaStatus, now: number) {
  return tooMany(`Plan limit reached: ${status.limit} messages per hour on the ${user.plan} plan`, status.resetAt - now / 1000, {
    limit: status.limit,
    plan: user.plan,
    resetAt: status.resetAt,
  });
}

/** `X-RateLimit-*` on limited plans only. */
export function setQuotaHeaders(ctx: Context, q: QuotaStatus): void {
  if (!q.limited) return;
  ctx.set('X-RateLimit-Limit', String(q.limit));
  ctx.set('X-RateLimit-Remaining', String(q.remaining));
  ctx.set('X-RateLimit-Reset', String(q.resetAt));
}
