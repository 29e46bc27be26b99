/**
 * `POST /v1/chat/completions`. Model `aion` runs the full agent (server tools, memory, prompts) in a stored
 * conversation of the caller; any other model is one model turn with the client's tools, nothing stored. The plan's
 * hourly chat quota applies and its `X-RateLimit-*` headers are set, as on the chat routes.
 */
import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import { isAppError, type AgentEvent, type PluginContext, type User } from '../../core/plugin-api/index.ts';
import { newMeta, streamChunks, TurnResult } from './completion.ts';
import { invalidRequest, OpenAIError } from './errors.ts';
import { lastUserInput, offeredTools, toChatMessages } from './messages.ts';
import { AGENT_MODEL } from './models.ts';
import { ChatCompletionBody, paramOf, type ChatCompletionRequest } from './schemas.ts';
import { ChunkStream } from './stream.ts';

function parseBody(raw: unknown): ChatCompletionRequest {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw invalidRequest('The request body must be a JSON object');
  const r = ChatCompletionBody.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw invalidRequest(`${paramOf(issue.path) ?? 'body'}: ${issue.message}`, paramOf(issue.path));
}

/**
 * The stored conversation of an `aion` request: OpenAI clients resend the whole thread each time, so a thread is
 * recognised by its first user message (and system prompt); one thread keeps one AION conversation.
 */
function threadId(user: User, body: ChatCompletionRequest): string {
  const firstUser = body.messages.find((m) => m.role === 'user');
  const system = body.messages.filter((m) => m.role === 'system' || m.role === 'developer');
  const key = JSON.stringify([user.id, body.user ?? '', system.map((m) => m.content), firstUser?.content ?? '']);
  return `oai-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

async function consumeQuota(ctx: PluginContext, c: Context, user: User): Promise<void> {
  try {
    ctx.auth.setQuotaHeaders(c, await ctx.auth.consumeChat(user));
  } catch (error: any) {
    if (isAppError(error) && error.status === 429) {
      ctx.auth.setQuotaHeaders(c, { limited: true, limit: Number(error.extra?.limit ?? 0), remaining: 0, resetAt: Number(error.extra?.resetAt ?? 0) });
    }
    throw error;
  }
}

function startEvents(ctx: PluginContext, user: User, body: ChatCompletionRequest, signal: AbortSignal): { events: AsyncIterable<AgentEvent>; clientTools: boolean } {
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  if (body.model === AGENT_MODEL) {
    if (body.tools?.length && body.tool_choice !== 'none') throw invalidRequest('Model aion runs its own server tools; client tools need a provider model', 'tools');
    const { text, images } = lastUserInput(body.messages);
    const { system } = toChatMessages(body.messages);
    if (!text.trim() && !images.length) throw invalidRequest('The last user message is empty', 'messages');
    return { events: ctx.agent.run({ user, message: text, images, system: system || undefined, conversationId: threadId(user, body), signal, channel: 'openai' }), clientTools: false };
  }
  const { system, messages } = toChatMessages(body.messages);
  const tools = offeredTools(body.tools, body.tool_choice);
  return {
    events: ctx.agent.runTurn({ user, messages, model: body.model, system: system || undefined, tools, maxTokens, temperature: body.temperature ?? undefined, signal }),
    clientTools: true,
  };
}

export async function chatCompletions(ctx: PluginContext, c: Context, user: User): Promise<unknown> {
  const body = parseBody((c.request as any).body);
  const controller = new AbortController();
  const started = startEvents(ctx, user, body, controller.signal);
  await consumeQuota(ctx, c, user); // after validation: a 400 costs nothing
  const iterator = started.events[Symbol.asyncIterator]();
  // Nobody can answer an approval over this API: a server tool that needs one is denied at once (not left to time out).
  const onEvent = (ev: AgentEvent) => {
    if (ev.type === 'approval') ctx.agent.approve(user, ev.id, false);
  };
  const first = await iterator.next(); // a bad model or provider is answered as a JSON error
  if (!first.done && first.value.type === 'error') throw new OpenAIError(502, first.value.message, 'api_error', first.value.code.toLowerCase());
  const meta = newMeta(body.model === AGENT_MODEL || first.done || first.value.type !== 'start' ? body.model : first.value.model);
  if (body.stream) {
    const out = new ChunkStream(c);
    out.disconnected.addEventListener('abort', () => controller.abort(new Error('client disconnected')), { once: true });
    try {
      await streamChunks(iterator, first, out, meta, { clientTools: started.clientTools, includeUsage: body.stream_options?.include_usage === true, onEvent });
    } finally {
      await iterator.return?.(undefined);
    }
    return undefined;
  }
  c.res.once('close', () => {
    if (!c.res.writableFinished) controller.abort(new Error('client disconnected'));
  });
  const result = new TurnResult();
  for (let step = first; !step.done; step = await iterator.next()) {
    onEvent(step.value);
    result.take(step.value, started.clientTools);
  }
  if (result.error) throw result.error;
  return result.completion(meta);
}
