/** `POST /api/model` (admin) and `GET /api/providers` (user). */
import { z } from 'zod';
import { acceptedModel, badRequest, type PluginContext, type ProviderDefinition } from '../../core/plugin-api/index.ts';

/** A provider whose check throws counts as not configured. */
function configured(p: ProviderDefinition): boolean {
  try {
    return p.isConfigured();
  } catch {
    return false;
  }
}

export function registerModelRoutes(ctx: PluginContext) {
  const all = () => ctx.host.providers().map((p) => p.def);

  ctx.routes.post('/model', {
    access: 'admin',
    summary: 'Switch the active model (provider inferred from the prefix when absent)',
    body: z.object({ model: z.string().trim().min(1, 'model is required').max(128), provider: z.string().max(64).optional() }),
  }, async (_c, { body }) => {
    // The acceptance check every door shares: UNKNOWN_PROVIDER / UNKNOWN_MODEL.
    const { provider, model } = acceptedModel(all(), body);
    // Refused rather than saved: an unconfigured choice would silently fall back to another provider on the next chat.
    if (!configured(provider)) {
      const keys = provider.envKeys.length ? `set ${provider.envKeys.join(' or ')} in Keys` : 'it is not available on this server';
      throw badRequest(`Provider ${provider.id} is not configured: ${keys}`, [{ field: 'model', message: 'provider not configured' }], 'PROVIDER_NOT_CONFIGURED');
    }
    await ctx.host.settings.set({ provider: provider.id, model });
    return { ok: true, model, provider: provider.id, configured: true };
  });

  ctx.routes.get('/providers', { summary: 'Registered providers and the active model' }, () => {
    const active = ctx.host.activeModel();
    const providers = all().map((p) => {
      const isConfigured = configured(p);
      return {
        id: p.id,
        label: p.label,
        prefix: p.prefixes[0] ?? '',
        prefixes: p.prefixes,
        models: p.models,
        env_keys: p.envKeys,
        configured: isConfigured,
        status: isConfigured ? 'ready' : 'not_configured',
        active: p.id === active.provider,
        // The original client marks the provider with `default: true`; only the one chats go to now.
        default: p.id === active.provider,
      };
    });
    return { providers, active_model: active.model, active_provider: active.provider, total_providers: providers.length };
  });
}
