/**
 * Model success rates per user (the original kept them global): one document per model in `self-model-models`, fed
 * by `POST /api/self-model/tool-reliability` with a `model` and by every agent tool call. `GET
 * /api/self-model/model-success-rates` answers a bare array, as the original (its model router reads `res.json()`).
 */
import type { PluginContext } from '../../core/plugin-api/index.ts';
import { upsert } from './upsert.ts';

type ModelStats = { id: string; model: string; successCount: number; failureCount: number; avgDuration: number; updatedAt: number };

export function registerModelRates(ctx: PluginContext) {
  const models = (userId: string) => ctx.store.forUser(userId).collection<ModelStats>('self-model-models');

  /** Fold one call in; `unknown` or empty model names are not tracked (as the original). */
  const record = async (userId: string, model: string | undefined, success: boolean, durationMs = 0) => {
    if (!model || model === 'unknown' || model.length > 128) return;
    await upsert(models(userId), model, (cur) => {
      const s = cur ?? { id: model, model, successCount: 0, failureCount: 0, avgDuration: 0, updatedAt: 0 };
      const before = s.successCount + s.failureCount;
      return {
        ...s,
        successCount: s.successCount + (success ? 1 : 0),
        failureCount: s.failureCount + (success ? 0 : 1),
        avgDuration: (s.avgDuration * before + durationMs) / (before + 1),
        updatedAt: Date.now(),
      };
    });
  };

  ctx.hooks.onToolResult((info) => {
    record(info.user.id, info.model, info.ok, info.durationMs).catch((error) =>
      ctx.log.warn({ err: String(error?.message ?? error) }, 'could not record a model success rate'),
    );
  });

  ctx.routes.get('/self-model/model-success-rates', { summary: 'Per-model tool success (bare array, most calls first)' }, async (c, { user }) => {
    const all = (await models(user.id).all()).map((s) => ({
      model: s.model,
      successCount: s.successCount,
      failureCount: s.failureCount,
      totalCalls: s.successCount + s.failureCount,
      avgDuration: Math.round(s.avgDuration * 100) / 100,
    }));
    all.sort((a, b) => b.totalCalls - a.totalCalls || a.model.localeCompare(b.model));
    c.body = all; // a bare array, not an envelope
    return undefined;
  });

  return { record };
}
