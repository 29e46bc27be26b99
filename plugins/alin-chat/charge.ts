/**
 * Counting chat messages against the plan as the original did: a request refused before the model starts (a bad
 * provider or model, a validation error) costs nothing, and a continuation after tool results is part of the message
 * that asked for the tools — never charged, never refused for quota (so a 429 can never replace a tool's output).
 * A message is counted when the turn has started (its first event: provider and model resolved); the quota is checked
 * before the model is called, so a user over the limit gets the 429 without the model running.
 */
import type { Context as KoaContext } from 'koa';
import { isAppError, type AgentEvent, type PluginContext, type User } from '../../core/plugin-api/index.ts';

/** Set the 429's `X-RateLimit-*` headers from its details, then rethrow it. */
function withQuotaHeaders(ctx: PluginContext, c: KoaContext) {
  return (error: unknown): never => {
    if (isAppError(error) && error.status === 429) {
      const extra = error.extra ?? {};
      ctx.auth.setQuotaHeaders(c, { limited: true, limit: Number(extra.limit ?? 0), remaining: 0, resetAt: Number(extra.resetAt ?? 0) });
    }
    throw error;
  };
}

/** Who is charged, and the signal that ends the turn (the client went away). */
export interface ChargeOptions {
  user: User;
  /** A continuation with the results of the tools we asked for: not counted, never refused for quota. */
  free: boolean;
  signal: AbortSignal;
  /**
   * Aborts `signal` (the stream's own `abort`): the turn then runs on `signal` itself. Without it the turn gets a
   * controller of its own that follows `signal`, so a failed count can end the turn.
   */
  abort?: (reason: unknown) => void;
}

/** Count the message (unless free) and set the quota headers; when that fails, `end` the started turn, then rethrow. */
async function count(ctx: PluginContext, c: KoaContext, { user, free }: ChargeOptions, end: (error: unknown) => Promise<void>): Promise<void> {
  try {
    const quota = free ? ctx.auth.chatQuota(user) : await ctx.auth.consumeChat(user).catch(withQuotaHeaders(ctx, c));
    ctx.auth.setQuotaHeaders(c, quota);
  } catch (error) {
    await end(error);
    throw error;
  }
}

/** One turn of the macrotask queue: what the microtasks before it queued (a request's socket write) happens first. */
const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The signal the turn runs on and how to end it. With the stream's own `abort` the turn runs on the stream's signal
 * (one cancellation path); without one, a controller of its own follows the caller's signal until `done`.
 */
function turnControl(opts: ChargeOptions): { turnSignal: AbortSignal; end: (reason: unknown) => void; done: () => void } {
  const { signal, abort } = opts;
  if (abort) return { turnSignal: signal, end: abort, done: () => undefined };
  const turn = new AbortController();
  const follow = () => turn.abort(signal.reason);
  if (signal.aborted) follow();
  else signal.addEventListener('abort', follow, { once: true });
  return { turnSignal: turn.signal, end: (reason) => turn.abort(reason), done: () => signal.removeEventListener('abort', follow) };
}

/**
 * Run the turn `begin` starts and charge one message when its first event arrives (unless `free`). Limited plans get
 * the `X-RateLimit-*` headers before the stream opens. Past the first event the events pass straight through (a plain
 * iterator, not a generator layer: every event of the turn passes here).
 *
 * The model call starts as soon as the quota check passed, while the message is counted and the stream opens: the
 * counting and the first frame then overlap the model's time to its first token instead of adding to it (issue #16's
 * TTFT split). Should the counting fail after all (another request took the last slot, the account was disabled), the
 * model call is aborted and the turn ended before the error is answered.
 */
export function chargeOnStart(ctx: PluginContext, c: KoaContext, opts: ChargeOptions, begin: (signal: AbortSignal) => AsyncIterable<AgentEvent>): AsyncIterableIterator<AgentEvent> {
  const { user, free } = opts;
  const { turnSignal, end, done } = turnControl(opts);
  const it = begin(turnSignal)[Symbol.asyncIterator]();
  /** The model's first step, asked for early; handed to the consumer's first `next` after the start. */
  let ahead: Promise<IteratorResult<AgentEvent>> | undefined;
  /** Take the early step, if one is waiting (the consumer's next `next` gets it, or an ending turn lets it settle). */
  const takeAhead = () => {
    const step = ahead;
    ahead = undefined;
    return step;
  };
  const start = async (): Promise<IteratorResult<AgentEvent>> => {
    await ctx.auth.accounts.usage(user); // loads the user's window, so the check below is exact after a restart
    const before = ctx.auth.chatQuota(user);
    if (!free && before.limited && before.remaining <= 0) await ctx.auth.consumeChat(user).catch(withQuotaHeaders(ctx, c)); // throws the 429
    const first = await it.next(); // a refusal (bad provider, …) throws here: nothing was counted
    if (!first.done) {
      ahead = it.next();
      ahead.catch(() => undefined); // its consumer sees the failure; this only keeps it from being "unhandled" meanwhile
      // Let the model request leave before the counting's own chain of promises runs (it is queued behind them).
      await nextMacrotask();
    }
    await count(ctx, c, opts, async (error) => {
      end(error);
      await takeAhead()?.catch(() => undefined);
      await it.return?.(undefined);
    });
    return first;
  };
  let started = false;
  const iterator: AsyncIterableIterator<AgentEvent> = {
    next: () => {
      if (!started) {
        started = true;
        return start();
      }
      return takeAhead() ?? it.next();
    },
    return: async (value?: unknown) => {
      done();
      await takeAhead()?.catch(() => undefined);
      return started && it.return ? it.return(value) : { done: true, value: undefined };
    },
    throw: async (error?: unknown) => {
      if (started && it.throw) return it.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
