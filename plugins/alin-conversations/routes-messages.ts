/** `POST /api/messages`, its alias `POST /api/conversations/:id/messages`, `PATCH|DELETE /api/messages/:id`. */
import type { Context } from 'koa';
import { notFound, type PluginContext, type UserConversationsApi } from '../../core/plugin-api/index.ts';
import { MessageCreate, MessagePatch, NestedMessageCreate, type MessageInput } from './schemas.ts';
import { messagePatch, newMessage, pathId } from './shape.ts';

export function registerMessageRoutes(ctx: PluginContext, forUser: (userId: string) => Promise<UserConversationsApi>) {
  const add = async (c: Context, userId: string, conversationId: string, body: MessageInput) => {
    const message = await (await forUser(userId)).addMessage(conversationId, newMessage(body) as any);
    c.status = 201;
    return { success: true, id: message.id, timestamp: message.timestamp };
  };

  ctx.routes.post('/messages', { summary: 'Add a message to one of the caller’s conversations', body: MessageCreate }, (c, { body, user }) =>
    add(c, user.id, body.conversationId, body),
  );

  ctx.routes.post('/conversations/:id/messages', { summary: 'Add a message (the original client’s route)', body: NestedMessageCreate }, (c, { params, body, user }) =>
    add(c, user.id, pathId(params.id), body),
  );

  ctx.routes.patch('/messages/:id', { summary: 'Edit a message (marks it edited)', body: MessagePatch }, async (_c, { params, body, user }) => {
    const updated = await (await forUser(user.id)).updateMessage(pathId(params.id, 'Message'), messagePatch(body) as any);
    if (!updated) throw notFound('Message not found');
    return { success: true };
  });

  ctx.routes.delete('/messages/:id', { summary: 'Delete a message' }, async (_c, { params, user }) => {
    if (!(await (await forUser(user.id)).deleteMessage(pathId(params.id, 'Message')))) throw notFound('Message not found');
    return { success: true };
  });
}
