/**
 * Plan counters shared by every instance (migration 040): a counted chat message is a row of `aion_chat_messages`,
 * checked and counted under a per-user transaction lock, so a free user's hour is counted once however many instances
 * take their messages; tokens are added per user and day with one atomic upsert.
 */
import type pg from 'pg';
import { inTransaction } from '../db/pool.ts';
import type { SharedUsage } from '../auth/usage.ts';

const HOUR = 3_600_000;
const USER_LOCK_NAMESPACE = 42;

export class PgUsageCounters implements SharedUsage {
  constructor(private readonly pool: pg.Pool) {}

  consumeChat(userId: string, limit: number | null, now: number): Promise<{ allowed: boolean; times: number[] }> {
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [USER_LOCK_NAMESPACE, userId]);
      await client.query('DELETE FROM aion_chat_messages WHERE user_id = $1 AND at <= $2', [userId, now - HOUR]);
      const times = (await client.query<{ at: string }>('SELECT at FROM aion_chat_messages WHERE user_id = $1 ORDER BY at', [userId])).rows.map((r) => Number(r.at));
      if (limit !== null && times.length >= limit) return { allowed: false, times };
      await client.query('INSERT INTO aion_chat_messages (user_id, at) VALUES ($1, $2)', [userId, now]);
      return { allowed: true, times: [...times, now] };
    });
  }

  async chatTimes(userId: string, now: number): Promise<number[]> {
    const r = await this.pool.query<{ at: string }>('SELECT at FROM aion_chat_messages WHERE user_id = $1 AND at > $2 ORDER BY at', [userId, now - HOUR]);
    return r.rows.map((row) => Number(row.at));
  }

  async addTokens(userId: string, day: string, tokens: number): Promise<void> {
    await this.pool.query(
      'INSERT INTO aion_token_days (user_id, day, tokens) VALUES ($1, $2, $3) ON CONFLICT (user_id, day) DO UPDATE SET tokens = aion_token_days.tokens + EXCLUDED.tokens',
      [userId, day, tokens],
    );
  }

  async tokensByDay(userId: string): Promise<Record<string, number>> {
    const r = await this.pool.query<{ day: string; tokens: string }>('SELECT day, tokens FROM aion_token_days WHERE user_id = $1 ORDER BY day', [userId]);
    return Object.fromEntries(r.rows.map((row) => [row.day, Number(row.tokens)]));
  }
}
