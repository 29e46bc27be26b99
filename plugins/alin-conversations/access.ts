/** The door to one user's conversations for the handlers (the store scopes everything to that user). */
import type { PluginContext, UserConversationsApi } from '../../core/plugin-api/index.ts';

export function userConversations(ctx: PluginContext): (userId: string) => Promise<UserConversationsApi> {
  return async (userId) => ctx.conversations.forUser(userId);
}
