/**
 * `GET /api/approvals?conversation=<id>`: the caller's tool calls parked for a yes or no (beyond the spec; issue #18).
 * The `approval` event is sent once, in the stream that parked the turn; a panel that reopens the conversation later
 * asks here to show the buttons again, then answers with `POST /api/chat/approve` or "ja"/"nein" as before. Only the
 * caller's own: another user's conversation id is a 404, exactly like one that does not exist.
 */
import { z } from 'zod';
import { notFound, type PluginContext } from '../../core/plugin-api/index.ts';

const Query = z.object({
  /** One conversation; without it, every conversation of the caller's. */
  conversation: z.string().min(1).max(200).optional(),
});

export function registerApprovalRoutes(ctx: PluginContext) {
  ctx.routes.get('/approvals', {
    summary: "The caller's tool calls waiting for approval ({ approvals: [{ conversationId, id, name, args, message, parkedAt }] })",
    query: Query,
  }, async (_c, { query, user }) => {
    if (query.conversation !== undefined && !(await ctx.conversations.forUser(user.id).has(query.conversation))) {
      throw notFound('Conversation not found', 'CONVERSATION_NOT_FOUND');
    }
    return { approvals: ctx.agent.pendingApprovals(user.id, query.conversation) };
  });
}
