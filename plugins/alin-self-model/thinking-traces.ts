/**
 * Thinking traces (`POST/GET /api/self-model/thinking-traces`), per user, as the original: `{ conversationId,
 * messageId, tbwoId?, thinkingContent, timestamp }`. GET with `?q=` searches the text (case-insensitive, newest first,
 * `limit` 20, ≤ 100); `?conversationId=` or `?tbwoId=` list that one's traces in order; nothing lists the newest.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { PluginContext } from '../../core/plugin-api/index.ts';
import { insertCapped } from './capped-insert.ts';

type Trace = { id: string; conversationId: string; messageId: string; tbwoId: string | null; thinkingContent: string; timestamp: number };

const Body = z.object({
  conversationId: z.string().max(128).optional(),
  messageId: z.string().max(128).optional(),
  tbwoId: z.string().max(128).nullable().optional(),
  thinkingContent: z.string().max(1_000_000).optional(),
  timestamp: z.number().int().min(0).max(8.64e15).optional(),
});
const Query = z.object({
  q: z.string().max(1000).optional(),
  conversationId: z.string().max(128).optional(),
  tbwoId: z.string().max(128).optional(),
  limit: z.coerce.number().int().min(1).default(20).transform((n) => Math.min(n, 100)),
});

/** Traces kept per conversation; the oldest go first. */
const MAX_PER_CONVERSATION = 2000;

export function registerThinkingTraces(ctx: PluginContext) {
  // One partition per conversation, so a busy user's write rewrites one conversation's traces, not all of them.
  const traces = (userId: string) => ctx.store.forUser(userId).partitioned<Trace>('self-model-traces');
  const partitionOf = (conversationId: string) => (/^[A-Za-z0-9_-]{1,128}$/.test(conversationId) ? conversationId : '_other');

  const all = async (userId: string): Promise<Trace[]> => {
    const p = traces(userId);
    const lists = await Promise.all((await p.keys()).map((k) => p.partition(k).all()));
    return lists.flat();
  };

  ctx.routes.post('/self-model/thinking-traces', { summary: 'Store a thinking trace', body: Body }, async (_c, { body, user }) => {
    const t: Trace = {
      id: randomUUID(),
      conversationId: body.conversationId ?? '',
      messageId: body.messageId ?? '',
      tbwoId: body.tbwoId ?? null,
      thinkingContent: body.thinkingContent ?? '',
      timestamp: body.timestamp ?? Date.now(),
    };
    await insertCapped(traces(user.id).partition(partitionOf(t.conversationId)), t, MAX_PER_CONVERSATION);
    return { success: true, id: t.id };
  });

  ctx.routes.get('/self-model/thinking-traces', { summary: 'Search (?q) or list (?conversationId, ?tbwoId) thinking traces', query: Query }, async (_c, { query, user }) => {
    const chronological = (list: Trace[]) => list.sort((a, b) => a.timestamp - b.timestamp);
    let out: Trace[];
    if (query.q) {
      const needle = query.q.toLowerCase();
      out = (await all(user.id)).filter((t) => t.thinkingContent.toLowerCase().includes(needle)).sort((a, b) => b.timestamp - a.timestamp).slice(0, query.limit);
    } else if (query.conversationId !== undefined) {
      const part = await traces(user.id).partition(partitionOf(query.conversationId)).all();
      out = chronological(part.filter((t) => t.conversationId === query.conversationId));
    } else if (query.tbwoId !== undefined) {
      out = chronological((await all(user.id)).filter((t) => t.tbwoId === query.tbwoId));
    } else {
      out = (await all(user.id)).sort((a, b) => b.timestamp - a.timestamp).slice(0, query.limit);
    }
    return { success: true, traces: out };
  });
}
