/** `POST|GET /api/self-model/outcomes`: execution outcomes of TBWOs, per user, newest first. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { PluginContext } from '../../core/plugin-api/index.ts';

const Count = z.number().int().min(0).max(1e9);
const Outcome = z.object({
  tbwoId: z.string().max(128).nullable().optional(),
  type: z.string().min(1).max(100),
  objective: z.string().max(100_000).optional(),
  success: z.boolean().nullable().optional(),
  timeBudget: z.number().min(0).max(1e7).optional(),
  planConfidence: z.number().min(0).max(1e6).optional(),
  phasesCompleted: Count.optional(),
  phasesFailed: Count.optional(),
  artifactsCount: Count.optional(),
  userEditsAfter: Count.optional(),
  qualityScore: z.number().min(0).max(1e6).optional(),
  durationMs: z.number().min(0).max(1e12).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  timestamp: z.number().int().min(0).max(8.64e15).optional(),
});

export type OutcomeRecord = {
  id: string;
  tbwoId: string | null;
  type: string;
  objective: string;
  success: boolean | null;
  timeBudget: number;
  planConfidence: number;
  phasesCompleted: number;
  phasesFailed: number;
  artifactsCount: number;
  userEditsAfter: number;
  qualityScore: number;
  durationMs: number;
  details: Record<string, unknown>;
  timestamp: number;
  createdAt: number;
};

export function registerOutcomeRoutes(ctx: PluginContext) {
  const outcomes = (userId: string) => ctx.store.forUser(userId).collection<OutcomeRecord>('self-model-outcomes');

  ctx.routes.post('/self-model/outcomes', { summary: 'Record an execution outcome', body: Outcome }, async (c, { body, user }) => {
    const now = Date.now();
    // As the original: missing numbers are 0, missing strings "".
    const outcome: OutcomeRecord = {
      id: randomUUID(),
      tbwoId: body.tbwoId ?? null,
      type: body.type,
      objective: body.objective ?? '',
      success: body.success ?? null,
      timeBudget: body.timeBudget ?? 0,
      planConfidence: body.planConfidence ?? 0,
      phasesCompleted: body.phasesCompleted ?? 0,
      phasesFailed: body.phasesFailed ?? 0,
      artifactsCount: body.artifactsCount ?? 0,
      userEditsAfter: body.userEditsAfter ?? 0,
      qualityScore: body.qualityScore ?? 0,
      durationMs: body.durationMs ?? 0,
      details: body.details ?? {},
      timestamp: body.timestamp ?? now,
      createdAt: now,
    };
    await outcomes(user.id).insert(outcome);
    c.status = 201;
    return { success: true, id: outcome.id, outcome };
  });

  ctx.routes.get('/self-model/outcomes', {
    summary: 'Execution outcomes, newest first',
    query: z.object({
      type: z.string().max(100).optional(),
      limit: z.coerce.number().int().min(1).default(50).transform((n) => Math.min(n, 200)),
    }),
  }, async (_c, { query, user }) => {
    const all = await outcomes(user.id).find((o) => query.type === undefined || o.type === query.type);
    // Newest first by timestamp; among equal timestamps the later insert first.
    const ordered = all.map((o, i) => ({ o, i })).sort((a, b) => b.o.timestamp - a.o.timestamp || b.i - a.i).map((x) => x.o);
    return { success: true, outcomes: ordered.slice(0, query.limit) };
  });
}
