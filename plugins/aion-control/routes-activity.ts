/**
 * `GET /api/activity?limit=` — the caller's recent tool and turn events as the original client's activity table reads
 * them (`{ events: [{ type: tool_call|tool_result|turn_done, tool, ok, duration (s), ts (ISO) }] }`), kept in memory,
 * at most 500 per user (oldest dropped); `POST /api/wakeup-ack` — AION has no wake-up message, so it only says ok.
 */
import { z } from 'zod';
import type { PluginContext } from '../../core/plugin-api/index.ts';

const KEEP = 500;
type ActivityEvent = { type: string; tool?: string; ok?: boolean; duration?: number; ts: string; channel?: string };

export function registerActivityRoutes(ctx: PluginContext) {
  const log = new Map<string, ActivityEvent[]>();
  const push = (userId: string, ...events: ActivityEvent[]) => {
    const list = log.get(userId) ?? [];
    list.push(...events);
    if (list.length > KEEP) list.splice(0, list.length - KEEP);
    log.set(userId, list);
  };

  ctx.hooks.onToolResult(({ user, name, ok, durationMs }) => {
    const end = Date.now();
    push(
      user.id,
      { type: 'tool_call', tool: name, ts: new Date(end - durationMs).toISOString() },
      { type: 'tool_result', tool: name, ok, duration: Math.round(durationMs) / 1000, ts: new Date(end).toISOString() },
    );
  });
  ctx.hooks.onDone((done, { user, channel }) => {
    push(user.id, { type: 'turn_done', ok: done.stopReason !== 'error', ts: new Date().toISOString(), channel });
  });

  ctx.routes.get('/activity', {
    summary: "The caller's recent tool calls and turns",
    query: z.object({ limit: z.coerce.number().int().min(1).max(KEEP).default(50) }),
  }, (_c, { query, user }) => ({ events: (log.get(user!.id) ?? []).slice(-query.limit) }));

  ctx.routes.post('/wakeup-ack', { summary: 'The client saw the wake-up message (AION sends none yet)' }, () => ({ ok: true }));
}
