/**
 * The original client's config calls (admin): `GET /api/config` in the original shape (plus ours), `POST
 * /api/config/settings`, `GET/POST /api/config/thinking`, `GET/POST /api/config/allowlist`, `POST
 * /api/config/reset_exchanges`. Settings are never secrets (keys live in the keys file); nothing secret is returned.
 */
import { z } from 'zod';
import { badRequest, type PluginContext } from '../../core/plugin-api/index.ts';

/** The original's engines that AION cannot run: edge-tts has no maintained npm package we ship; sapi5/pyttsx3 are Python/Windows. */
const UNSUPPORTED_TTS = new Set(['edge', 'sapi5', 'pyttsx3']);
const SUPPORTED_TTS = 'off, elevenlabs';
const Level = z.enum(['off', 'minimal', 'standard', 'deep', 'ultra']);

/** The keys of the original's `config` object, in its types (our `none` shows as the original's `off`). */
function originalConfig(s: Record<string, any>) {
  return {
    tts_engine: s.tts_engine === 'none' ? 'off' : s.tts_engine,
    tts_voice: s.tts_voice,
    model_fallback: s.model_fallback,
    check_model: s.check_model,
    max_history_turns: s.max_history_turns,
    thinking_level: s.thinking_level,
    thinking_overrides: s.thinking_overrides,
    channel_allowlist: s.channel_allowlist,
    task_routing: s.task_routing,
    browser_headless: s.browser_headless,
  };
}

/** The `public_url` setting, else `PUBLIC_URL` from the environment (trailing slashes dropped), else ''. */
function effectivePublicUrl(setting: unknown): string {
  const value = typeof setting === 'string' && setting ? setting : (process.env.PUBLIC_URL ?? '').trim();
  return value.replace(/\/+$/, '');
}

const exchangesKey = (userId: string) => `exchanges:${userId}`;

export function registerSettingsRoutes(ctx: PluginContext) {
  countExchanges(ctx);
  registerConfigView(ctx);
  registerThinkingRoutes(ctx);
  registerAllowlistRoutes(ctx);
  ctx.routes.post('/config/reset_exchanges', { access: 'admin', summary: "Reset the caller's exchange counter" }, async (_c, { user }) => {
    await ctx.store.plugin.set(exchangesKey(user.id), 0);
    return { ok: true };
  });
}

function countExchanges(ctx: PluginContext) {
  // One exchange = one finished AION turn of the user (the original's "Gesprächszähler").
  ctx.hooks.onDone(async (_done, { user }) => {
    const n = (await ctx.store.plugin.get<number>(exchangesKey(user.id))) ?? 0;
    await ctx.store.plugin.set(exchangesKey(user.id), n + 1);
  });
}

/** `GET /api/config` and `POST /api/config/settings`. */
function registerConfigView(ctx: PluginContext) {
  ctx.routes.get('/config', { access: 'admin', summary: 'Model, the original config object, our settings and stats (never a secret)' }, async (_c, { user }) => {
    const active = ctx.host.activeModel();
    const settings = ctx.host.settings.get();
    return {
      model: active.model,
      provider: active.provider,
      bot_dir: ctx.host.dataDir,
      memory_entries: ctx.memory.count(user.id),
      exchange_count: (await ctx.store.plugin.get<number>(exchangesKey(user.id))) ?? 0,
      config: { ...settings, ...originalConfig(settings) },
      // The panel shows the Alexa and Telegram addresses from it; the setting wins over the PUBLIC_URL variable.
      public_url: effectivePublicUrl(settings.public_url),
      settings,
      stats: await ctx.host.stats(),
    };
  });

  ctx.routes.post('/config/settings', {
    access: 'admin',
    summary: 'Change settings (unknown keys → 400; the original keys in their original types)',
    body: z.record(z.string().max(128), z.unknown()),
  }, async (_c, { body }) => {
    if (typeof body.tts_engine === 'string' && UNSUPPORTED_TTS.has(body.tts_engine)) {
      throw badRequest(`tts_engine ${body.tts_engine} is not available in AION; supported: ${SUPPORTED_TTS}`, [{ field: 'tts_engine', message: `supported: ${SUPPORTED_TTS}` }], 'TTS_ENGINE_UNSUPPORTED');
    }
    return { ok: true, settings: await ctx.host.settings.set(body) };
  });
}

function registerThinkingRoutes(ctx: PluginContext) {
  const thinkingView = () => {
    const s = ctx.host.settings.get();
    return { thinking_level: s.thinking_level, thinking_overrides: s.thinking_overrides };
  };
  ctx.routes.get('/config/thinking', { access: 'admin', summary: 'Thinking level and per-channel/model overrides' }, thinkingView);
  ctx.routes.post('/config/thinking', {
    access: 'admin',
    summary: '{ level } sets the global level; { channel, level } sets an override, an empty level removes it',
    body: z.object({ level: z.union([Level, z.literal('')]).default(''), channel: z.string().trim().max(128).default('') }),
  }, async (_c, { body }) => {
    const s = ctx.host.settings.get();
    if (body.channel) {
      const overrides = { ...s.thinking_overrides };
      if (body.level) overrides[body.channel] = body.level;
      else delete overrides[body.channel];
      await ctx.host.settings.set({ thinking_overrides: overrides });
    } else if (body.level) await ctx.host.settings.set({ thinking_level: body.level });
    else throw badRequest('level is required', [{ field: 'level', message: 'minimal, standard, deep, ultra or off' }]);
    return { ok: true, ...thinkingView() };
  });
}

function registerAllowlistRoutes(ctx: PluginContext) {
  ctx.routes.get('/config/allowlist', { access: 'admin', summary: 'Channels allowed to talk to the agent (empty = all)' }, () => ({
    channel_allowlist: ctx.host.settings.get().channel_allowlist,
  }));
  ctx.routes.post('/config/allowlist', {
    access: 'admin',
    summary: '{ channels: [...] } replaces the allowlist (`*` suffix wildcard)',
    body: z.object({ channels: z.array(z.union([z.string(), z.number()])).max(100) }),
  }, async (_c, { body }) => {
    const channels = body.channels.map((c) => String(c).trim()).filter(Boolean);
    await ctx.host.settings.set({ channel_allowlist: channels });
    return { ok: true, channel_allowlist: ctx.host.settings.get().channel_allowlist };
  });
}
