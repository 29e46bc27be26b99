/** `GET|POST /api/conversations`, `GET|PATCH|DELETE /api/conversations/:id`. */
import { notFound, type PluginContext, type UserConversationsApi } from '../../core/plugin-api/index.ts';
import { ConversationCreate, ConversationListQuery, ConversationPatch } from './schemas.ts';
import { searchConversations } from './search.ts';
import { BODY_ENCODINGS, encodedConversationBody } from './conversation-body.ts';
import { conversationOut, listItem, pathId } from './shape.ts';

export function registerConversationRoutes(ctx: PluginContext, forUser: (userId: string) => Promise<UserConversationsApi>) {
  ctx.routes.get('/conversations', { summary: "The caller's conversations, newest updatedAt first (`search` matches title and message text)", query: ConversationListQuery }, async (_c, { query, user }) => {
    const convs = await forUser(user.id);
    const { search, ...page } = query;
    const conversations = search ? await searchConversations(convs, search, page) : (await convs.listConversations(page)).conversations;
    return { success: true, conversations: conversations.map(listItem) };
  });

  ctx.routes.post('/conversations', { summary: 'Create a conversation (client id optional; a used id → 409)', body: ConversationCreate }, async (c, { body, user }) => {
    // Unnamed model/provider: the server's active ones, so the conversation says what will answer it.
    const active = ctx.host.activeModel();
    const conversation = await (await forUser(user.id)).create({ ...body, model: body.model ?? active.model, provider: body.provider ?? active.provider });
    c.status = 201;
    return { success: true, id: conversation.id, conversation: conversationOut(conversation) };
  });

  ctx.routes.get('/conversations/:id', { summary: 'A conversation with its messages, oldest first' }, async (c, { params, user }) => {
    const found = await (await forUser(user.id)).getWithMessages(pathId(params.id));
    if (!found) throw notFound('Conversation not found');
    // `{ success, conversation, messages }`, serialised once per version of the conversation, and compressed once for
    // the clients that accept it (see conversation-body.ts).
    const head = JSON.stringify({ success: true, conversation: conversationOut(found.conversation) });
    const accepted = c.acceptsEncodings(...BODY_ENCODINGS, 'identity');
    const { body, encoding } = encodedConversationBody(head, found.messages, accepted === 'br' || accepted === 'gzip' ? accepted : undefined);
    c.vary('Accept-Encoding');
    if (encoding) c.set('Content-Encoding', encoding);
    c.type = 'application/json; charset=utf-8';
    c.body = body;
  });

  ctx.routes.patch('/conversations/:id', { summary: 'Update title, flags, model, metadata', body: ConversationPatch }, async (_c, { params, body, user }) => {
    const conversation = await (await forUser(user.id)).update(pathId(params.id), body);
    if (!conversation) throw notFound('Conversation not found');
    return { success: true, conversation: conversationOut(conversation) };
  });

  ctx.routes.delete('/conversations/:id', { summary: 'Delete a conversation and its messages' }, async (_c, { params, user }) => {
    if (!(await (await forUser(user.id)).delete(pathId(params.id)))) throw notFound('Conversation not found');
    return { success: true };
  });
}
