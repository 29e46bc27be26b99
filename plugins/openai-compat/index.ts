/**
 * The OpenAI-compatible API, so existing OpenAI clients and SDKs work against AION: `GET /v1/models` and
 * `POST /v1/chat/completions` (streaming and not, client tools, images). Authenticated with the same bearer tokens as
 * every route; every error in OpenAI's shape.
 */
import type { Context } from 'koa';
import { definePlugin, type PluginContext, type User } from '../../core/plugin-api/index.ts';
import { chatCompletions } from './chat.ts';
import { invalidKey, sendError, toOpenAIError } from './errors.ts';
import { listModels } from './models.ts';

/** Authenticate, run, and answer any failure in OpenAI's error shape. */
function handle(ctx: PluginContext, run: (c: Context, user: User) => unknown) {
  return async (c: Context) => {
    try {
      const user = await ctx.auth.authenticate(c);
      if (!user) throw invalidKey(c.get('authorization') ? 'Incorrect API key provided' : 'You did not provide an API key (Authorization: Bearer <token>)');
      const result = await run(c, user);
      if (result !== undefined) c.body = result;
    } catch (error) {
      if (c.headerSent || c.respond === false) return; // a stream reports its own errors
      sendError(c, toOpenAIError(error, ctx.log));
    }
  };
}

export default definePlugin({
  name: 'openai-compat',
  version: '1.0.0',
  description: 'OpenAI-compatible API: /v1/models and /v1/chat/completions',
  setup(ctx) {
    // Public at the router: the handler authenticates itself so a missing key is answered in OpenAI's shape.
    ctx.routes.get('/v1/models', { root: true, access: 'public', handlerAuth: 'bearer', summary: 'OpenAI-compatible: list models (bearer token required)' }, handle(ctx, () => listModels(ctx.host)));
    ctx.routes.post('/v1/chat/completions', { root: true, access: 'public', handlerAuth: 'bearer', stream: true, summary: 'OpenAI-compatible chat completions (bearer token required)' }, handle(ctx, (c, user) => chatCompletions(ctx, c, user)));
  },
});
