/**
 * The original client's plugin hub and snapshot calls. AION has no hub and keeps no plugin snapshots yet, so each
 * answers a clear `{ error }` (which the client shows) instead of a missing route.
 */
import { z } from 'zod';
import { notFound, type PluginContext } from '../../core/plugin-api/index.ts';

const NO_HUB = 'AION has no plugin hub yet: add a plugin as a folder under plugins/ (or PLUGINS_DIRS) and reload';
const NO_SNAPSHOTS = 'AION keeps no plugin snapshots yet: plugin folders are yours to version (git)';

export function registerHubRoutes(ctx: PluginContext) {
  const hub = () => {
    throw notFound(NO_HUB, 'NO_PLUGIN_HUB');
  };
  const snapshots = () => {
    throw notFound(NO_SNAPSHOTS, 'NO_SNAPSHOTS');
  };
  const Name = z.object({ name: z.string().max(64).optional() }).passthrough().default({});
  ctx.routes.get('/hub', { access: 'admin', summary: 'Plugin hub (not available)' }, hub);
  ctx.routes.post('/hub/install', { access: 'admin', summary: 'Plugin hub (not available)', body: Name }, hub);
  ctx.routes.post('/hub/remove', { access: 'admin', summary: 'Plugin hub (not available)', body: Name }, hub);
  ctx.routes.get('/snapshots', { access: 'admin', summary: 'Plugin snapshots (not kept)' }, snapshots);
  ctx.routes.get('/snapshots/:plugin', { access: 'admin', summary: 'Plugin snapshots (not kept)', params: z.object({ plugin: z.string().max(64) }) }, snapshots);
  ctx.routes.post('/snapshots/:plugin/restore', {
    access: 'admin',
    summary: 'Plugin snapshots (not kept)',
    params: z.object({ plugin: z.string().max(64) }),
    body: z.object({ timestamp: z.string().max(64).optional() }).passthrough().default({}),
  }, snapshots);
}
