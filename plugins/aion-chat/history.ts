/**
 * `GET /api/history[?channel=]` and `GET /api/channels` as the original AION web client reads them: the messages of
 * the current web session (or of another channel's chat, read-only in the client) as `{ role, content }` — assistant
 * content a string, user content a string or the client's multimodal parts (`text`, `image_url`) — and the channels
 * that have messages as `{ id, label, count }` (`web`, `telegram_<chatId>`, `alexa_<id>`).
 */
import { z } from 'zod';
import type { ConversationRecord, MessageRecord, PluginContext } from '../../core/plugin-api/index.ts';

type HistoryMessage = { role: 'user' | 'assistant'; content: string | Array<Record<string, unknown>> };

/** Most messages one history answer carries (the newest). */
const HISTORY_LIMIT = 200;

function imageUrl(block: any): string | undefined {
  const src = block?.source;
  if (src?.type === 'base64' && typeof src.data === 'string') return `data:${src.media_type};base64,${src.data}`;
  if (src?.type === 'url' && typeof src.url === 'string') return src.url;
  return undefined;
}

function textOf(blocks: unknown[]): string {
  return blocks.map((b: any) => (b?.type === 'text' && typeof b.text === 'string' ? b.text : '')).filter(Boolean).join('\n');
}

/** One stored message as the client shows it; tool results, empty and system messages are left out. */
export function historyMessage(m: Readonly<MessageRecord>): HistoryMessage | undefined {
  if (m.role !== 'user' && m.role !== 'assistant') return undefined;
  if (typeof m.content === 'string') return m.content ? { role: m.role, content: m.content } : undefined;
  const blocks = m.content as unknown[];
  const text = textOf(blocks);
  if (m.role === 'user') {
    const images = blocks.map(imageUrl).filter((u): u is string => !!u);
    if (images.length) return { role: 'user', content: [{ type: 'text', text }, ...images.map((url) => ({ type: 'image_url', image_url: { url } }))] };
  }
  return text ? { role: m.role, content: text } : undefined;
}

/** The channel id of a conversation made by a channel (`undefined` = a web conversation). */
function channelOf(c: ConversationRecord): string | undefined {
  const channel = typeof c.metadata?.channel === 'string' ? c.metadata.channel : undefined;
  if (!channel || channel === 'web') return undefined;
  const chat = typeof c.metadata.chatId === 'string' || typeof c.metadata.chatId === 'number' ? String(c.metadata.chatId) : c.id.slice(0, 8);
  return `${channel}_${chat}`;
}

function label(id: string): string {
  if (id === 'web') return 'Web';
  const [platform, ...rest] = id.split('_');
  return `${platform.charAt(0).toUpperCase()}${platform.slice(1)} · ${rest.join('_')}`;
}

async function visible(ctx: PluginContext<any>, userId: string, conversationIds: string[]): Promise<HistoryMessage[]> {
  const conversations = ctx.conversations.forUser(userId);
  const out: HistoryMessage[] = [];
  for (const id of conversationIds) {
    for (const m of (await conversations.listMessages(id)) ?? []) {
      const h = historyMessage(m);
      if (h) out.push(h);
    }
  }
  return out.slice(-HISTORY_LIMIT);
}

/** The user's channel conversations grouped by channel id, oldest conversation first. */
async function channelConversations(ctx: PluginContext<any>, userId: string): Promise<Map<string, ConversationRecord[]>> {
  const { conversations } = await ctx.conversations.forUser(userId).listConversations({ limit: 10_000 });
  const groups = new Map<string, ConversationRecord[]>();
  for (const c of conversations) {
    const id = channelOf(c);
    if (!id) continue;
    groups.set(id, [c, ...(groups.get(id) ?? [])]);
  }
  return groups;
}

export function registerHistoryRoutes(ctx: PluginContext<any>): void {
  ctx.routes.get('/history', {
    summary: 'Messages of the current AION session, or of a channel (`?channel=telegram_<chatId>`)',
    query: z.object({ channel: z.string().max(200).optional() }),
  }, async (_c, { query, user }) => {
    const channel = query.channel && query.channel !== 'web' ? query.channel : undefined;
    if (!channel) return { messages: await visible(ctx, user.id, [await ctx.agent.currentSession(user.id)]) };
    const group = (await channelConversations(ctx, user.id)).get(channel) ?? [];
    return { messages: await visible(ctx, user.id, group.map((c) => c.id)) };
  });

  ctx.routes.get('/channels', { summary: 'Channels with messages: web first, then by last activity' }, async (_c, { user }) => {
    const session = await ctx.agent.currentSession(user.id);
    const web = (await ctx.conversations.forUser(user.id).get(session))?.messageCount ?? 0;
    const groups = [...(await channelConversations(ctx, user.id))]
      .map(([id, list]) => ({ id, label: label(id), count: list.reduce((n, c) => n + c.messageCount, 0), last: Math.max(...list.map((c) => c.updatedAt)) }))
      .sort((a, b) => b.last - a.last)
      .map(({ id, label: l, count }) => ({ id, label: l, count }));
    return { channels: [{ id: 'web', label: 'Web', count: web }, ...groups] };
  });
}
