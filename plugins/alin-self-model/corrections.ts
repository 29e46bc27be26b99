/** `POST|GET /api/self-model/corrections`: user corrections, de-duplicated on (category, correctedValue), per user. */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { badRequest, type PluginContext } from '../../core/plugin-api/index.ts';
import { upsert } from './upsert.ts';

export type Correction = {
  id: string;
  originalValue: string;
  correctedValue: string;
  category: string;
  correctionCount: number;
  lastCorrected: number;
  createdAt: number;
};

const Text = z.string().max(100_000);
const Body = z.object({
  originalValue: Text.optional(),
  correctedValue: Text.optional(),
  original: Text.optional(),
  corrected: Text.optional(),
  category: z.string().min(1).max(100).optional(),
});

/** The id is derived from the de-duplication key, so two requests for the same pair meet on one document. */
const keyOf = (category: string, corrected: string) => createHash('sha256').update(`${category}\u0000${corrected}`).digest('hex').slice(0, 32);

export function registerCorrectionRoutes(ctx: PluginContext) {
  const corrections = (userId: string) => ctx.store.forUser(userId).collection<Correction>('self-model-corrections');

  ctx.routes.post('/self-model/corrections', { summary: 'Record a correction (a repeat increments its count)', body: Body }, async (c, { body, user }) => {
    const originalValue = body.originalValue ?? body.original;
    const correctedValue = body.correctedValue ?? body.corrected;
    const missing = [originalValue === undefined && 'originalValue', correctedValue === undefined && 'correctedValue'].filter(Boolean) as string[];
    if (missing.length) throw badRequest(`Invalid body: ${missing[0]} — required`, missing.map((field) => ({ field, message: 'required' })));
    const category = body.category ?? 'general';
    const now = Date.now();
    const saved = await upsert(corrections(user.id), keyOf(category, correctedValue!), (cur) =>
      cur
        ? { ...cur, originalValue: originalValue!, correctionCount: cur.correctionCount + 1, lastCorrected: now }
        : { id: keyOf(category, correctedValue!), originalValue: originalValue!, correctedValue: correctedValue!, category, correctionCount: 1, lastCorrected: now, createdAt: now },
    );
    c.status = saved.correctionCount === 1 ? 201 : 200;
    return { success: true, id: saved.id, correctionCount: saved.correctionCount };
  });

  ctx.routes.get('/self-model/corrections', {
    summary: 'Corrections seen at least minCount times, most frequent first',
    query: z.object({ minCount: z.coerce.number().int().min(1).max(1e9).default(1) }),
  }, async (_c, { query, user }) => {
    const list = await corrections(user.id).find((x) => x.correctionCount >= query.minCount);
    list.sort((a, b) => b.correctionCount - a.correctionCount || b.lastCorrected - a.lastCorrected);
    return { success: true, corrections: list };
  });
}
