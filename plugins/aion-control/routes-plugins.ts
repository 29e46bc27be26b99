/** `/api/plugins` and reload / enable / disable (admin). */
import { z } from 'zod';
import type { PluginContext, PluginStatus } from '../../core/plugin-api/index.ts';

const Name = z.object({ name: z.string().min(1).max(64) });

function view(p: PluginStatus) {
  return {
    name: p.name,
    version: p.version,
    description: p.description,
    enabled: p.enabled,
    disabled: !p.enabled,
    loaded: p.status === 'loaded',
    status: p.status,
    ...(p.error ? { error: p.error } : {}),
    ...(p.errorLocation ? { errorLocation: p.errorLocation } : {}),
    builtin: p.builtin,
    required: p.required,
    tools: p.tools.map((t) => ({ name: t.name, loaded: p.status === 'loaded', description: t.description })),
    providers: p.providers,
    channels: p.channels,
    routes: p.routes,
    loadMs: p.loadMs,
    loadedAt: p.loadedAt,
    capabilities: p.capabilities,
  };
}

export function registerPluginRoutes(ctx: PluginContext) {
  ctx.routes.get('/plugins', { access: 'admin', summary: 'Plugins and what each registered' }, () => {
    const plugins = ctx.host.plugins().map(view);
    // As the original client shows it ("Tools"): the tools of loaded plugins.
    const totalLoaded = plugins.filter((p) => p.loaded).reduce((n, p) => n + p.tools.length, 0);
    return { plugins, total_loaded: totalLoaded, loaded_plugins: plugins.filter((p) => p.loaded).length };
  });

  ctx.routes.post('/plugins/reload', {
    access: 'admin',
    summary: 'Reload one plugin or all',
    body: z.object({ name: z.string().min(1).max(64).optional() }).default({}),
  }, async (_c, { body }) => {
    const result = await ctx.host.reload(body.name);
    const tools = ctx.host.tools().map((t) => t.name);
    return { ok: result.every((p) => p.status !== 'error'), tools, count: tools.length, plugins: result.map(view) };
  });

  ctx.routes.post('/plugins/enable', { access: 'admin', summary: 'Enable (and load) a plugin', body: Name }, async (_c, { body }) => {
    const status = await ctx.host.enable(body.name);
    return { ok: status.status === 'loaded', enabled: body.name, plugin: view(status) };
  });

  ctx.routes.post('/plugins/disable', { access: 'admin', summary: 'Disable (unload) a plugin', body: Name }, async (_c, { body }) => {
    const status = await ctx.host.disable(body.name);
    return { ok: true, disabled: body.name, plugin: view(status) };
  });
}
