/** Message schemas shared by the chat and coding routes (Anthropic content blocks). */
import { z } from 'zod';

const Block = z.object({ type: z.string().max(64) }).passthrough();
export const ChatMessage = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string().max(2_000_000), z.array(Block).max(500)]),
});
