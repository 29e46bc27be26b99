/**
 * The AION control API (`aion-api.md`): health, status, plugins, keys, config and settings, prompts, model and
 * providers, memory. Access rules per the spec: status and health public, the rest admin unless noted.
 */
import { definePlugin } from '../../core/plugin-api/index.ts';
import { registerActivityRoutes } from './routes-activity.ts';
import { registerApprovalRoutes } from './routes-approvals.ts';
import { registerConfigRoutes } from './routes-config.ts';
import { registerCustomProviderRoutes } from './routes-custom-providers.ts';
import { registerEventRoutes } from './routes-events.ts';
import { registerHubRoutes } from './routes-hub.ts';
import { registerMemoryRoutes } from './routes-memory.ts';
import { registerModelRoutes } from './routes-model.ts';
import { registerPermissionRoutes } from './routes-permissions.ts';
import { registerPluginRoutes } from './routes-plugins.ts';
import { registerSettingsRoutes } from './routes-settings.ts';
import { registerStatusRoutes } from './routes-status.ts';

export default definePlugin({
  name: 'aion-control',
  version: '1.0.0',
  description: 'The AION control API: status, plugins, keys, config, prompts, model, providers, memory',
  setup(ctx) {
    registerStatusRoutes(ctx);
    registerPluginRoutes(ctx);
    registerConfigRoutes(ctx);
    registerSettingsRoutes(ctx);
    registerModelRoutes(ctx);
    registerMemoryRoutes(ctx);
    registerEventRoutes(ctx);
    registerHubRoutes(ctx);
    registerPermissionRoutes(ctx);
    registerActivityRoutes(ctx);
    registerCustomProviderRoutes(ctx);
    registerApprovalRoutes(ctx);
  },
});
