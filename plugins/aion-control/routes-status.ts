/** `/api/health` (public) and `/api/status` (public; counts only with a token). */
import type { PluginContext } from '../../core/plugin-api/index.ts';

/** The original's default mood; AION has no mood engine yet (a mood plugin may supply one later). */
const NEUTRAL_MOOD = 'calm';

export function registerStatusRoutes(ctx: PluginContext) {
  const uptime = () => Math.round((Date.now() - ctx.host.startedAt) / 1000);

  ctx.routes.get('/health', { access: 'public', summary: 'Liveness' }, () => ({
    status: 'ok',
    service: 'AION',
    version: ctx.host.version,
    uptime: uptime(),
  }));

  ctx.routes.get('/status', { access: 'public', summary: 'Server status' }, async (_c, { user }) => {
    const active = ctx.host.activeModel();
    const plugins = ctx.host.plugins();
    const channels: Record<string, string> = {};
    for (const ch of ctx.host.channels()) channels[ch.id] = ch.status;
    const base = {
      status: 'ok',
      version: ctx.host.version,
      model: active.model,
      provider: active.provider,
      uptime: uptime(),
      plugins: {
        loaded: plugins.filter((p) => p.status === 'loaded').length,
        error: plugins.filter((p) => p.status === 'error').length,
        disabled: plugins.filter((p) => p.status === 'disabled').length,
      },
      channels,
      // The original client's mood badge and wake-up message: neutral values.
      mood: NEUTRAL_MOOD,
      pending_wakeup: '',
    };
    if (!user) return base;
    const sessionId = await ctx.agent.currentSession(user.id);
    const conversation = await ctx.conversations.forUser(user.id).get(sessionId);
    let memoryEntries = 0;
    try {
      memoryEntries = ctx.memory.count(user.id);
    } catch {
      memoryEntries = 0;
    }
    const extra = await ctx.host.statusFields(user);
    // A plugin's fields (a mood engine's `mood`) replace the neutral defaults; the core figures stay ours.
    return { ...base, ...extra, memory_entries: memoryEntries, conversation_len: conversation?.messageCount ?? 0 };
  });
}
