/**
 * The ALIN chat dialect (`events.md`): `POST /api/chat/stream` and `/api/chat/continue` run one model turn with the
 * client's tools; tool calls are reported as `tool_use` for the client to run. A message counts against the plan
 * quota once the model has accepted it; the continuation carrying the results of the tools we asked for is free
 * (`charge.ts`). Bodies may be up to the chat body limit (images).
 */
import { z } from 'zod';
import { definePlugin, type AgentEvent, type User } from '../../core/plugin-api/index.ts';
import { chargeOnStart } from './charge.ts';
import { registerCodingRoute } from './coding.ts';
import { ChatMessage } from './schemas.ts';
import { tap } from './tap.ts';
import { continuedToolIds, IssuedToolCalls } from './issued-tool-calls.ts';

const Tool = z.object({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
  description: z.string().max(10_000).optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
  inputSchema: z.record(z.string(), z.unknown()).optional(),
});
const Body = z.object({
  messages: z.array(ChatMessage, { error: 'messages array required' }).min(1, 'messages must not be empty').max(2000),
  model: z.string().max(128).optional(),
  provider: z.string().max(64).optional(),
  system: z.string().max(200_000).optional(),
  systemPrompt: z.string().max(200_000).optional(),
  tools: z.array(Tool).max(128).optional(),
  thinking: z.boolean().optional(),
  thinkingBudget: z.number().int().min(0).max(200_000).optional(),
  maxTokens: z.number().int().min(1).max(200_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
  conversationId: z.string().max(128).optional(),
});

export default definePlugin({
  name: 'alin-chat',
  version: '1.0.0',
  description: 'ALIN chat streaming: one model turn per request with client tools and thinking; Coding mode with the workspace tools',
  setup(ctx) {
    const issued = new IssuedToolCalls();
    ctx.onUnload(() => issued.clear());
    /** Remember the tool calls handed to the client, so their continuation is recognised. */
    const remembering = (user: User, events: AsyncIterable<AgentEvent>) =>
      tap(events, (ev) => {
        if (ev.type === 'tool_call') issued.issue(user.id, ev.id);
      });
    const handler = async (c: any, { body: b, user: caller }: { body: z.infer<typeof Body>; user: User | undefined }) => {
      const user = caller!;
      const system = b.system ?? b.systemPrompt;
      const free = issued.redeem(user.id, continuedToolIds(b.messages));
      await ctx.sse.streamAgent(c, 'alin', (signal, abort) => chargeOnStart(ctx, c, { user, free, signal, abort }, (turnSignal) => remembering(user,
        ctx.agent.runTurn({
          user,
          messages: b.messages as any,
          model: b.model,
          provider: b.provider,
          system: system === '[DEPRECATED]' ? undefined : system,
          tools: b.tools,
          thinking: b.thinking,
          thinkingBudget: b.thinkingBudget,
          maxTokens: b.maxTokens,
          temperature: b.temperature,
          conversationId: b.conversationId,
          signal: turnSignal,
        }),
      )));
    };
    ctx.routes.post('/chat/stream', { summary: 'One model turn (SSE, ALIN dialect)', stream: true, body: Body }, handler);
    registerCodingRoute(ctx);
    ctx.routes.post('/chat/continue', { summary: 'Continue after client tool results (SSE, ALIN dialect; free for the tools we asked for)', stream: true, body: Body }, handler);
  },
});
