/**
 * ALIN files: the `/api/files/*` endpoints and the agent's file tools, all over the caller's confined workspace
 * (`ctx.workspace` resolves every path, symlinks included, and refuses anything outside with 400 PATH_OUTSIDE_WORKSPACE).
 */
import { definePlugin } from '../../core/plugin-api/index.ts';
import { registerEditorRoute } from './editor.ts';
import { registerFileRoutes } from './routes.ts';
import { registerFileTools } from './tools.ts';
import { registerWorkspaceRoutes } from './workspace-routes.ts';

export default definePlugin({
  name: 'alin-files',
  version: '1.0.0',
  description: 'Workspace files: read, write, list, scan, search and text-editor endpoints and the agent file tools',
  setup(ctx) {
    registerFileRoutes(ctx);
    registerEditorRoute(ctx);
    registerWorkspaceRoutes(ctx);
    registerFileTools(ctx);
  },
});
