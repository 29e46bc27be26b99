/**
 * The decision log (`POST/GET /api/self-model/decisions`), per user, in the original's wire shape: `{ tbwoId,
 * decisionType, optionsConsidered[], chosenOption, reasoning, outcome, confidence, timestamp }`; listed newest first,
 * `?tbwoId=` filters, `?limit=` (50, ≤ 200).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { PluginContext } from '../../core/plugin-api/index.ts';
import { insertCapped } from './capped-insert.ts';

type Decision = {
  id: string; tbwoId: string; decisionType: string; optionsConsidered: unknown[]; chosenOption: string;
  reasoning: string; outcome: string; confidence: number; timestamp: number;
};

const Text = z.string().max(100_000);
const Body = z.object({
  tbwoId: z.string().max(128).nullable().optional(),
  decisionType: z.string().max(200).optional(),
  optionsConsidered: z.array(z.unknown()).max(1000).optional(),
  // The client sends the chosen option as text; an object is kept as its JSON.
  chosenOption: z.union([Text, z.record(z.string(), z.unknown())]).optional(),
  reasoning: Text.optional(),
  outcome: Text.nullable().optional(),
  confidence: z.number().finite().optional(),
  timestamp: z.number().int().min(0).max(8.64e15).optional(),
});
const Query = z.object({
  tbwoId: z.string().max(128).optional(),
  limit: z.coerce.number().int().min(1).default(50).transform((n) => Math.min(n, 200)),
});

/** Decisions kept per user; the oldest go first. */
const MAX_KEPT = 10_000;

export function registerDecisionRoutes(ctx: PluginContext) {
  const log = (userId: string) => ctx.store.forUser(userId).collection<Decision>('self-model-decisions');

  ctx.routes.post('/self-model/decisions', { summary: 'Record a decision', body: Body }, async (_c, { body, user }) => {
    const d: Decision = {
      id: randomUUID(),
      tbwoId: body.tbwoId ?? '',
      decisionType: body.decisionType ?? '',
      optionsConsidered: body.optionsConsidered ?? [],
      chosenOption: typeof body.chosenOption === 'string' ? body.chosenOption : body.chosenOption ? JSON.stringify(body.chosenOption) : '',
      reasoning: body.reasoning ?? '',
      outcome: body.outcome ?? '',
      confidence: body.confidence ?? 0,
      timestamp: body.timestamp ?? Date.now(),
    };
    await insertCapped(log(user.id), d, MAX_KEPT);
    return { success: true, id: d.id };
  });

  ctx.routes.get('/self-model/decisions', { summary: 'Decisions, newest first (?tbwoId, ?limit)', query: Query }, async (_c, { query, user }) => {
    const all = await log(user.id).find((d) => query.tbwoId === undefined || d.tbwoId === query.tbwoId);
    all.sort((a, b) => b.timestamp - a.timestamp);
    return { success: true, decisions: all.slice(0, query.limit) };
  });
}
