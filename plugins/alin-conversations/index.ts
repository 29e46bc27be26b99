/**
 * ALIN conversations and messages (`alin-api.md` → Conversations and messages), per user through
 * `ctx.conversations.forUser` — the same conversations the AION chat writes to.
 */
import { definePlugin } from '../../core/plugin-api/index.ts';
import { userConversations } from './access.ts';
import { registerConversationRoutes } from './routes-conversations.ts';
import { registerMessageRoutes } from './routes-messages.ts';

export default definePlugin({
  name: 'alin-conversations',
  version: '1.0.0',
  description: 'ALIN conversations and messages, per user',
  setup(ctx) {
    const forUser = userConversations(ctx);
    registerConversationRoutes(ctx, forUser);
    registerMessageRoutes(ctx, forUser);
  },
});
