/**
 * Tool reliability per user (the original kept it global; we do not): one document per tool name in the user's
 * `self-model-tools` collection. Fed by `POST /api/self-model/tool-reliability` and by every agent tool call.
 */
import { z } from 'zod';
import type { PluginContext } from '../../core/plugin-api/index.ts';
import { upsert } from './upsert.ts';

export type ToolStats = {
  id: string;
  toolName: string;
  successCount: number;
  failureCount: number;
  avgDuration: number;
  commonErrors: string[];
  lastFailureReason: string | null;
  lastUsedAt: number;
};

export interface ToolCall {
  toolName: string;
  success: boolean;
  durationMs?: number;
  errorReason?: string;
}

const Body = z.object({
  toolName: z.string().min(1).max(128),
  success: z.boolean(),
  duration: z.number().min(0).max(1e9).optional(),
  durationMs: z.number().min(0).max(1e9).optional(),
  errorReason: z.string().max(100_000).optional(),
  model: z.string().max(128).optional(),
});

/** Fold one call into the stats: counts, running average, last ≤ 10 errors (≤ 200 chars each), last failure (≤ 500). */
export function fold(current: ToolStats | undefined, call: ToolCall, now: number): ToolStats {
  const s: ToolStats = current ?? {
    id: call.toolName, toolName: call.toolName, successCount: 0, failureCount: 0, avgDuration: 0, commonErrors: [], lastFailureReason: null, lastUsedAt: now,
  };
  const before = s.successCount + s.failureCount;
  const duration = call.durationMs ?? 0;
  const next = { ...s, lastUsedAt: now, avgDuration: (s.avgDuration * before + duration) / (before + 1) };
  if (call.success) next.successCount++;
  else {
    next.failureCount++;
    const reason = call.errorReason ?? 'unknown error';
    next.commonErrors = [...s.commonErrors, reason.slice(0, 200)].slice(-10);
    next.lastFailureReason = reason.slice(0, 500);
  }
  return next;
}

/** The wire shape of one tool's stats. */
function toolOut(s: ToolStats) {
  const total = s.successCount + s.failureCount;
  return {
    toolName: s.toolName,
    successCount: s.successCount,
    failureCount: s.failureCount,
    successRate: total ? Math.round((s.successCount / total) * 10_000) / 10_000 : 0,
    avgDuration: Math.round(s.avgDuration * 100) / 100,
    commonErrors: s.commonErrors,
    lastFailureReason: s.lastFailureReason,
  };
}

export function registerToolReliability(ctx: PluginContext, models: { record(userId: string, model: string | undefined, success: boolean, durationMs?: number): Promise<void> }) {
  const tools = (userId: string) => ctx.store.forUser(userId).collection<ToolStats>('self-model-tools');
  const record = (userId: string, call: ToolCall) => upsert(tools(userId), call.toolName, (cur) => fold(cur, call, Date.now()));

  ctx.hooks.onToolResult((info) => {
    record(info.user.id, { toolName: info.name, success: info.ok, durationMs: info.durationMs, errorReason: info.error }).catch((error) =>
      ctx.log.warn({ err: String(error?.message ?? error), tool: info.name }, 'could not record tool reliability'),
    );
  });

  ctx.routes.post('/self-model/tool-reliability', { summary: 'Record one tool call', body: Body }, async (_c, { body, user }) => {
    const durationMs = body.durationMs ?? body.duration;
    const stats = await record(user.id, { toolName: body.toolName, success: body.success, durationMs, errorReason: body.errorReason });
    await models.record(user.id, body.model, body.success, durationMs);
    return { success: true, tool: toolOut(stats) };
  });

  ctx.routes.get('/self-model/tool-reliability', { summary: 'Tool reliability, most-used first' }, async (_c, { user }) => {
    const all = await tools(user.id).all();
    all.sort((a, b) => b.successCount + b.failureCount - (a.successCount + a.failureCount) || a.toolName.localeCompare(b.toolName));
    return { success: true, tools: all.map(toolOut) };
  });
}
