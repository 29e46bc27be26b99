/**
 * ALIN Coding mode: `POST /api/coding/stream { messages, model?, system?, additionalContext?, workspaceId? }` runs
 * the agent loop server-side with the workspace tools (files, search, edit, sandboxed execution) and streams it in the
 * original's coding dialect (`tool_start` / `tool_result` / `text_delta` / `done`). It always works in the caller's
 * own workspace: the original's `workspaceId` (which let a caller name any folder) is accepted and ignored. Charged as
 * one chat message when the model accepts it.
 */
import { z } from 'zod';
import type { PluginContext, User } from '../../core/plugin-api/index.ts';
import { chargeOnStart } from './charge.ts';
import { ChatMessage } from './schemas.ts';

/** The tools of Coding mode: everything that works on the caller's workspace. */
export const CODING_TOOLS = ['file_read', 'file_write', 'file_list', 'scan_directory', 'code_search', 'edit_file', 'execute_code', 'run_command'];

const CODING_PROMPT = [
  'You are ALIN in Coding mode, a careful software engineer working in the user\'s workspace folder.',
  'Use the tools to look before you change anything: list and read files, search the code, then edit or write.',
  'Prefer small, exact edits (edit_file) over rewriting whole files. Run code and commands to check your work.',
  'Paths are relative to the workspace. When you are done, say briefly what you changed and how you checked it.',
].join('\n');

const Body = z.object({
  messages: z.array(ChatMessage, { error: 'messages array required' }).min(1, 'messages must not be empty').max(2000),
  model: z.string().max(128).optional(),
  provider: z.string().max(64).optional(),
  system: z.string().max(200_000).optional(),
  additionalContext: z.string().max(200_000).optional(),
  mode: z.string().max(64).optional(),
  workspaceId: z.string().max(200).optional(),
  maxTokens: z.number().int().min(1).max(200_000).optional(),
});

export function registerCodingRoute(ctx: PluginContext): void {
  ctx.routes.post('/coding/stream', { summary: 'Coding mode: the agent loop with the workspace tools (SSE, ALIN coding dialect)', stream: true, body: Body }, async (c, { body, user: caller }) => {
    const user = caller as User;
    const system = body.system && body.system !== '[DEPRECATED]'
      ? body.system
      : [CODING_PROMPT, body.additionalContext?.trim()].filter(Boolean).join('\n\n');
    await ctx.sse.streamAgent(c, 'alin-coding', (signal, abort) => chargeOnStart(ctx, c, { user, free: false, signal, abort }, (turnSignal) => ctx.agent.runTurn({
      user,
      messages: body.messages as any,
      model: body.model,
      provider: body.provider,
      system,
      maxTokens: body.maxTokens,
      serverTools: CODING_TOOLS,
      signal: turnSignal,
    })));
  });
}
