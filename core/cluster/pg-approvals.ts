/**
 * Parked tool approvals in PostgreSQL (`aion_parked_turns`, migration 040), one row per user and conversation. The
 * turn is JSON (its Map of finished results as entries). `take` is one `DELETE … RETURNING` of exactly the parked turn
 * it names (same calls) and only while unexpired, so of two instances answering at once exactly one continues the turn,
 * and an expired approval is denied on every instance.
 */
import type pg from 'pg';
import type { ParkedTurn, ParkedTurnStore } from '../agent/approvals.ts';

type StoredTurn = Omit<ParkedTurn, 'results'> & { results: Array<[string, unknown]> };

const toJson = (turn: ParkedTurn): StoredTurn => ({ ...turn, results: [...turn.results.entries()] });
const fromJson = (stored: StoredTurn): ParkedTurn => ({ ...stored, results: new Map(stored.results) as ParkedTurn['results'] });
const callIds = (turn: ParkedTurn) => turn.pending.map((p) => p.id);

export class PgParkedTurns implements ParkedTurnStore {
  constructor(private readonly pool: pg.Pool) {}

  async save(turn: ParkedTurn, expiresAt: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO aion_parked_turns (user_id, conversation_id, call_ids, turn, expires_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id, conversation_id) DO UPDATE SET call_ids = EXCLUDED.call_ids, turn = EXCLUDED.turn, expires_at = EXCLUDED.expires_at`,
      [turn.userId, turn.conversationId, callIds(turn), JSON.stringify(toJson(turn)), expiresAt],
    );
    void this.pool.query('DELETE FROM aion_parked_turns WHERE expires_at <= $1', [Date.now()]).catch(() => undefined);
  }

  async take(turn: ParkedTurn, now: number): Promise<boolean> {
    const r = await this.pool.query(
      'DELETE FROM aion_parked_turns WHERE user_id = $1 AND conversation_id = $2 AND call_ids = $3 AND expires_at > $4',
      [turn.userId, turn.conversationId, callIds(turn), now],
    );
    return r.rowCount === 1;
  }

  async get(userId: string, conversationId: string, now: number) {
    const r = await this.pool.query<{ turn: StoredTurn; expires_at: string }>(
      'SELECT turn, expires_at FROM aion_parked_turns WHERE user_id = $1 AND conversation_id = $2 AND expires_at > $3',
      [userId, conversationId, now],
    );
    const row = r.rows[0];
    return row && { turn: fromJson(row.turn), expiresAt: Number(row.expires_at) };
  }

  async live(now: number) {
    const r = await this.pool.query<{ turn: StoredTurn; expires_at: string }>('SELECT turn, expires_at FROM aion_parked_turns WHERE expires_at > $1', [now]);
    return r.rows.map((row) => ({ turn: fromJson(row.turn), expiresAt: Number(row.expires_at) }));
  }
}
