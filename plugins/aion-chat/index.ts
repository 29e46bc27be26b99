/**
 * The AION chat dialect (`events.md`): `POST /api/chat` runs the whole agent loop and streams it; approvals, stop and
 * reset around it. Counts against the plan's hourly chat quota.
 */
import { z } from 'zod';
import { badRequest, definePlugin, notFound } from '../../core/plugin-api/index.ts';
import { registerHistoryRoutes } from './history.ts';
import { registerProcessFileRoute } from './process-file.ts';

const DATA_URL = /^data:([a-z]+\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/=\s]+)$/i;
const Image = z.union([
  z.string().max(20_000_000),
  z.object({ mediaType: z.string().max(100), data: z.string().max(20_000_000) }),
  z.object({ url: z.string().url().max(4096) }),
]);

/** Images as data URLs, http(s) URLs or `{ mediaType, data }` → the agent's image input. */
function toImages(images: Array<z.infer<typeof Image>> | undefined) {
  return (images ?? []).map((img) => {
    if (typeof img !== 'string') return img;
    const m = DATA_URL.exec(img);
    if (m) return { mediaType: m[1].toLowerCase(), data: m[2].replace(/\s/g, '') };
    if (/^https?:\/\//i.test(img)) return { url: img };
    throw badRequest('Each image must be a data URL or an http(s) URL', [{ field: 'images', message: 'invalid image' }]);
  });
}

export default definePlugin({
  name: 'aion-chat',
  version: '1.0.0',
  description: 'AION chat over SSE: chat, approve, stop, reset',
  setup(ctx) {
    ctx.routes.post('/chat', {
      summary: 'Chat with the agent (SSE, AION dialect)',
      stream: true,
      quota: 'chat',
      body: z.object({
        message: z.string().max(200_000).default(''),
        images: z.array(Image).max(10).optional(),
        conversationId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/).optional(),
        provider: z.string().max(64).optional(),
        model: z.string().max(128).optional(),
      }),
    }, async (c, { body, user }) => {
      if (!body.message.trim() && !body.images?.length) throw badRequest('Empty message', [{ field: 'message', message: 'message or images required' }], 'EMPTY_MESSAGE');
      const images = toImages(body.images);
      await ctx.sse.streamAgent(c, 'aion', (signal) =>
        ctx.agent.run({ user, message: body.message, images, conversationId: body.conversationId, provider: body.provider, model: body.model, signal, channel: 'web' }),
      );
    });

    ctx.routes.post('/chat/approve', {
      summary: 'Answer a pending tool approval',
      body: z.object({ id: z.string().min(1).max(200), approved: z.boolean() }),
    }, async (_c, { body, user }) => {
      if (!(await ctx.agent.approve(user, body.id, body.approved))) throw notFound('No pending approval with this id', 'APPROVAL_NOT_FOUND');
      return { ok: true };
    });

    ctx.routes.post('/stop', { summary: "Cancel the caller's running turns (on every instance); stopped: whether one ran" }, async (_c, { user }) => {
      const stopped = await ctx.agent.stopEverywhere(user.id);
      return { ok: true, stopped: stopped > 0 };
    });

    registerHistoryRoutes(ctx);
    registerProcessFileRoute(ctx);

    ctx.routes.post('/reset', { summary: 'Start a new AION session (the old conversation is kept)' }, async (_c, { user }) => ({
      ok: true,
      conversationId: await ctx.agent.resetSession(user.id),
    }));
  },
});
