/**
 * Counting chat messages against the plan as the original did: a request refused before the model starts (a bad
 * provider or model, a validation error) costs nothing, and a continuation after tool results is part of the message
 * that asked for the tools — never charged, never refused for quota (so a 429 can never replace a tool's output).
 * A message is counted when the model has accepted it (its first event); the quota is checked before the model is
 * called, so a user over the limit gets the 429 without the model running.
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

/**
 * Run `events` and charge one message when its first event arrives (unless `free`). Limited plans get the
 * `X-RateLimit-*` headers before the stream opens. Past the first event the events pass straight through (a plain
 * iterator, not a generator layer: every event of the turn passes here).
 */
export function chargeOnStart(ctx: PluginContext, c: KoaContext, user: User, free: boolean, events: AsyncIterable<AgentEvent>): AsyncIterableIterator<AgentEvent> {
  const it = events[Symbol.asyncIterator]();
  const start = async (): Promise<IteratorResult<AgentEvent>> => {
    await ctx.auth.accounts.usage(user); // loads the user's window, so the check below is exact after a restart
    const before = ctx.auth.chatQuota(user);
    if (!free && before.limited && before.remaining <= 0) await ctx.auth.consumeChat(user).catch(withQuotaHeaders(ctx, c)); // throws the 429
    const first = await it.next(); // a refusal (bad provider, …) throws here: nothing was counted
    try {
      const quota = free ? ctx.auth.chatQuota(user) : await ctx.auth.consumeChat(user).catch(withQuotaHeaders(ctx, c));
      ctx.auth.setQuotaHeaders(c, quota);
    } catch (error) {
      await it.return?.(undefined);
      throw error;
    }
    return first;
  };
  let started = false;
  const iterator: AsyncIterableIterator<AgentEvent> = {
    next: () => {
      if (started) return it.next();
      started = true;
      return start();
    },
    return: async (value?: unknown) => (started && it.return ? it.return(value) : { done: true, value: undefined }),
    throw: async (error?: unknown) => {
      if (started && it.throw) return it.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
