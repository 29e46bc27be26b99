/**
 * The ALIN chat's charging (plugins/alin-chat/charge.ts) starts the model call while the message is counted. When the
 * count then fails (another request took the last slot between the check and the count — a race the HTTP test in
 * chat-limits.test.ts cannot force), the already started turn must be aborted and ended, and the error answered.
 * Pure logic over a stand-in context: the race is made certain here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError, type AgentEvent, type PluginContext, type User } from '../../core/plugin-api/index.ts';
import { chargeOnStart } from '../../plugins/alin-chat/charge.ts';

const user = { id: 'u1', plan: 'free', role: 'user' } as unknown as User;

function context(consume: () => Promise<unknown>) {
  const headers: unknown[] = [];
  const ctx = {
    auth: {
      accounts: { usage: async () => ({}) },
      chatQuota: () => ({ limited: true, limit: 10, remaining: 1, resetAt: 0 }),
      consumeChat: consume,
      setQuotaHeaders: (_c: unknown, q: unknown) => headers.push(q),
    },
  } as unknown as PluginContext;
  return { ctx, headers };
}

/** A turn that starts, then waits for its model until aborted; records how it ended. */
function turn(log: string[]) {
  return async function* (signal: AbortSignal): AsyncGenerator<AgentEvent> {
    try {
      yield { type: 'start', messageId: 'm', conversationId: '', provider: 'p', model: 'x' };
      log.push('model started');
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      log.push(`model aborted: ${String((signal.reason as Error)?.message)}`);
      yield { type: 'stop', reason: 'aborted' } as unknown as AgentEvent;
    } finally {
      log.push('turn ended');
    }
  };
}

test('a count that fails after the model started aborts the model call, ends the turn, then throws the 429', async () => {
  const log: string[] = [];
  const limit = new AppError(429, 'RATE_LIMIT_EXCEEDED', 'Message limit reached');
  const { ctx } = context(async () => {
    await new Promise((r) => setTimeout(r, 20)); // the model call is under way by now
    throw limit;
  });
  const events = chargeOnStart(ctx, {} as never, { user, free: false, signal: new AbortController().signal }, turn(log));
  await assert.rejects(events.next(), (e) => e === limit);
  assert.deepEqual(log, ['model started', 'model aborted: Message limit reached', 'turn ended']);
});

test('a successful count hands on the start, then the model events the early call produced, in order', async () => {
  const log: string[] = [];
  const caller = new AbortController();
  const { ctx, headers } = context(async () => ({ limited: true, limit: 10, remaining: 0, resetAt: 1 }));
  const events = chargeOnStart(ctx, {} as never, { user, free: false, signal: caller.signal }, turn(log));
  assert.equal((await events.next()).value?.type, 'start');
  assert.deepEqual(headers, [{ limited: true, limit: 10, remaining: 0, resetAt: 1 }]);
  assert.deepEqual(log, ['model started'], 'the model call began before the consumer asked for it');
  const second = events.next();
  caller.abort(new Error('client disconnected')); // the caller's signal reaches the turn
  assert.equal((await second).value?.type, 'stop');
  await events.return?.(undefined);
  assert.deepEqual(log, ['model started', 'model aborted: client disconnected', 'turn ended']);
});

test('with the stream\'s own abort (as the routes pass it), a failed count aborts that signal, and the turn runs on it', async () => {
  const log: string[] = [];
  const limit = new AppError(429, 'RATE_LIMIT_EXCEEDED', 'Message limit reached');
  const { ctx } = context(async () => {
    await new Promise((r) => setTimeout(r, 20));
    throw limit;
  });
  const stream = new AbortController();
  let seen: AbortSignal | undefined;
  const begin = turn(log);
  const events = chargeOnStart(ctx, {} as never, { user, free: false, signal: stream.signal, abort: (r) => stream.abort(r) }, (s) => ((seen = s), begin(s)));
  await assert.rejects(events.next(), (e) => e === limit);
  assert.equal(seen, stream.signal, 'no controller of its own');
  assert.equal(stream.signal.reason, limit);
  assert.deepEqual(log, ['model started', 'model aborted: Message limit reached', 'turn ended']);

  const log2: string[] = [];
  const ok = context(async () => ({ limited: false, limit: 0, remaining: 0, resetAt: 0 }));
  const other = new AbortController();
  const events2 = chargeOnStart(ok.ctx, {} as never, { user, free: false, signal: other.signal, abort: (r) => other.abort(r) }, turn(log2));
  assert.equal((await events2.next()).value?.type, 'start');
  const next = events2.next();
  other.abort(new Error('client disconnected'));
  assert.equal((await next).value?.type, 'stop');
  await events2.return?.(undefined);
  assert.deepEqual(log2, ['model started', 'model aborted: client disconnected', 'turn ended']);
});
