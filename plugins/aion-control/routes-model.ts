/** `POST /api/model` (admin) and `GET /api/providers` (user). */
import { z } from 'zod';
import { badRequest, type PluginContext, type ProviderDefinition } from '../../core/plugin-api/index.ts';

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
    const providers = all();
    const provider = body.provider ? providers.find((p) => p.id === body.provider) : ctx.host.providerForModel(body.model);
    if (!provider) throw badRequest(body.provider ? `Unknown provider: ${body.provider}` : `Unknown model: ${body.model}`, undefined, body.provider ? 'UNKNOWN_PROVIDER' : 'UNKNOWN_MODEL');
    const known = provider.acceptsAnyModel || provider.models.includes(body.model) || provider.prefixes.some((x) => body.model.toLowerCase().startsWith(x.toLowerCase()));
    if (!known) throw badRequest(`Unknown model for ${provider.id}: ${body.model}`, undefined, 'UNKNOWN_MODEL');
    // Refused rather than saved: an unconfigured choice would silently fall back to another provider on the next chat.
    if (!configured(provider)) {
      const keys = provider.envKeys.length ? `set ${provider.envKeys.join(' or ')} in Keys` : 'it is not available on this server';
      throw badRequest(`Provider ${provider.id} is not configured: ${keys}`, [{ field: 'model', message: 'provider not configured' }], 'PROVIDER_NOT_CONFIGURED');
    }
    await ctx.host.settings.set({ provider: provider.id, model: body.model });
    return { ok: true, model: body.model, provider: provider.id, configured: true };
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
