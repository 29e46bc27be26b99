/** A user's usage is loaded once however many calls ask for it at once: no call counts into a copy that is replaced. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { FileStore } from '../store/store.ts';
import type { User } from '../plugin-api/types.ts';
import { UsageTracker } from './usage.ts';

const user: User = { id: 'u1', email: 'a@example.com', displayName: 'A', plan: 'free', role: 'user', isAdmin: false, createdAt: 0 };

test('calls that arrive before the usage is loaded (as after a restart) share one load: no count or tokens are lost', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'aion-usage-'));
  const store = new FileStore(dir, pino({ level: 'silent' }));
  try {
    const tracker = new UsageTracker(store);
    const limit = tracker.quota(user).limit;
    // Every kind of call at once, twice over, so the loads of each overlap the others in every order.
    await Promise.all([
      tracker.usage(user),
      tracker.consume(user),
      tracker.addTokens(user.id, 5),
      tracker.warm(user.id),
      tracker.consume(user),
      tracker.usage(user),
      tracker.addTokens(user.id, 7),
    ]);
    const usage = await tracker.usage(user);
    assert.equal(usage.messagesThisHour, 2);
    assert.equal(usage.tokensToday, 12);
    assert.equal(tracker.quota(user).remaining, limit - 2);
    await tracker.flush();
    // And what was saved is the same: a fresh tracker (a restart) reads both counts back.
    const again = await new UsageTracker(store).usage(user);
    assert.equal(again.messagesThisHour, 2);
    assert.equal(again.tokensToday, 12);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
