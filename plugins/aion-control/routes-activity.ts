/**
 * `GET /api/activity?limit=` — the caller's recent tool and turn events as the original client's activity table reads
 * them (`{ events: [{ type: tool_call|tool_result|turn_done|turn_error, tool, ok, duration (s), ts (ISO), code?, message? }] }`),
 * kept in memory, at most 500 per user (oldest dropped); `?type=` keeps only the named types (comma separated); `POST /api/wakeup-ack` — AION has no wake-up message, so it only says ok.
 */
import { z } from 'zod';
import type { PluginContext } from '../../core/plugin-api/index.ts';

const KEEP = 500;
const TYPES = ['tool_call', 'tool_result', 'turn_done', 'turn_error'] as const;
type ActivityEvent = { type: (typeof TYPES)[number]; tool?: string; ok?: boolean; duration?: number; ts: string; channel?: string; code?: string; message?: string };

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

  // A turn that ends in an error sends no `done`: without this the activity table would not show failed turns.
  ctx.hooks.onTurnError((error, { user, channel }) => {
    push(user.id, { type: 'turn_error', ok: false, code: error.code, message: error.message.slice(0, 500), ts: new Date().toISOString(), channel });
  });

  const TypeList = z
    .string()
    .max(200)
    .transform((s) => s.split(',').map((t) => t.trim()).filter(Boolean))
    .pipe(z.array(z.enum(TYPES)));
  ctx.routes.get('/activity', {
    summary: "The caller's recent tool calls and turns (?type=tool_result,turn_error filters)",
    query: z.object({ limit: z.coerce.number().int().min(1).max(KEEP).default(50), type: TypeList.optional() }),
  }, (_c, { query, user }) => {
    const all = log.get(user.id) ?? [];
    const wanted = query.type?.length ? new Set<string>(query.type) : undefined;
    return { events: (wanted ? all.filter((e) => wanted.has(e.type)) : all).slice(-query.limit) };
  });

  ctx.routes.post('/wakeup-ack', { summary: 'The client saw the wake-up message (AION sends none yet)' }, () => ({ ok: true }));
}
